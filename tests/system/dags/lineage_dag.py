"""A landing, a report summary and a @task landing with the hook, run by test_lineage.py with OpenLineage's
file transport."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG, ObjectStoragePath, task

from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)

DAY = {"start": "2026-11-19", "end": "2026-11-20"}
LAKE = os.environ.get("PEERCLICK_TEST_LANDING_URL", "file:///tmp/peerclick-lineage-lake")


@task(pool="peerclick_reports")
def hook_landing() -> int:
    """What a user's own task does: read with the hook, land with the storage module."""
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook, ReportQuery
    from airflow_provider_peerclick.storage.landing import land_report

    query = ReportQuery.build(**DAY, group_by="offer")
    pages = PeerClickHook().iter_report_pages(query=query)
    return land_report(pages, base=ObjectStoragePath(LAKE), query=query).row_count


with DAG("peerclick_lineage", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
    # First: `dags test` runs every task in one process, whose hook lineage collector would otherwise hold
    # what the operators' hooks read too (a worker runs each task in a process of its own).
    own = hook_landing()
    land = PeerClickReportToStorageOperator(
        task_id="land",
        **DAY,
        destination=LAKE,
        group_by="campaign",
        columns=["visits", "clicks", "revenue"],
        page_size=8,
    )
    summary = PeerClickReportOperator(task_id="summary", group_by="country", **DAY)
    own >> [land, summary]
