"""A landing and a report summary, run by test_lineage.py with OpenLineage's file transport."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)

DAY = {"start": "2026-11-19", "end": "2026-11-20"}

with DAG("peerclick_lineage", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
    PeerClickReportToStorageOperator(
        task_id="land",
        **DAY,
        destination=os.environ.get("PEERCLICK_TEST_LANDING_URL", "file:///tmp/peerclick-lineage-lake"),
        group_by="campaign",
        columns=["visits", "clicks", "revenue"],
        page_size=8,
    )
    PeerClickReportOperator(task_id="summary", group_by="country", **DAY)
