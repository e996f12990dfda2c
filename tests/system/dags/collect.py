"""A task that writes the XCom values it gets to the file the DAG runner reads back."""

from __future__ import annotations

import json
import os

from airflow.sdk import task


@task(trigger_rule="all_done")
def collect(**values):
    with open(os.environ["PEERCLICK_TEST_XCOM_FILE"], "w", encoding="utf-8") as file:
        json.dump(values, file, default=str)
