"""
The `make scale` error paths, for its secret scan: tasks that fail, are retried, and fail again.

- ``missing_campaign``: account A's connection asks for a campaign that does not exist (404).
- ``wrong_key``: a ``@task`` whose hook uses A's key ID with a wrong key, through A's rate-limit store
  (so the rate holds without a pool; ``check_pool=False`` says so). It must get a 401: A's token, shared
  through the store, is encrypted with a key derived from A's access key.

Each failed try's exception, as the task runner hands it to ``on_failure_callback``, is written as one
JSON line to the file in ``PEERCLICK_SCALE_FAILURES``: the harness checks its fields survived, and the
secret scan searches the file with everything else.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pendulum
from airflow.sdk import DAG, task

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.operators.entities import PeerClickGetCampaignOperator
from scripts.scale.scenario import (
    FAILURES_DAG_ID,
    FAILURES_ENV,
    MISSING_CAMPAIGN_ID,
    SHARED_ACCOUNT,
    WRONG_KEY_CONN_ID,
)


def record_failure(context: Any) -> None:
    exc = context["exception"]
    fields = {name: getattr(exc, name, None) for name in ("status", "method", "path", "description")}
    line = {
        "task_id": context["ti"].task_id,
        "try_number": context["ti"].try_number,
        "type": type(exc).__name__,
        **fields,
        "message": str(exc),
    }
    with open(os.environ[FAILURES_ENV], "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


with DAG(
    dag_id=FAILURES_DAG_ID,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={
        "retries": 1,
        "retry_delay": pendulum.duration(seconds=2),
        "on_failure_callback": record_failure,
        "on_retry_callback": record_failure,
    },
    tags=["peerclick", "scale"],
    doc_md=__doc__,
):
    PeerClickGetCampaignOperator(
        task_id="missing_campaign", peerclick_conn_id=SHARED_ACCOUNT, campaign_id=MISSING_CAMPAIGN_ID
    )

    @task
    def wrong_key() -> None:
        PeerClickHook(peerclick_conn_id=WRONG_KEY_CONN_ID, check_pool=False).list_campaigns()

    wrong_key()
