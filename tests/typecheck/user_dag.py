"""A DAG file as a user writes it, with deliberate mistakes: each line marked ``# mistake`` must be an error
for mypy, and no other line (``tests/test_typing.py`` runs mypy on this file; pytest never imports it)."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, task

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.operators.entities import (
    PeerClickCreateOfferOperator,
    PeerClickGetCampaignOperator,
    PeerClickListOffersOperator,
    PeerClickUpdateCampaignOperator,
)
from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator
from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)
from airflow_provider_peerclick.operators.sql import PeerClickReportToSqlOperator
from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor, PeerClickOfferSensor
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor


@task
def totals_by_hand() -> None:
    hook = PeerClickHook("peerclick_default", pool_slots=1)
    hook.get_report_summary(start="2026-11-01", end="2026-11-02", group_by="day")
    for _ in hook.iter_report_pages(start="2026-11-01", end="2026-11-02", group_by="day", page_size=500):
        pass
    hook.get_report_totals(start="2026-11-01", end="2026-11-02", group_bye="day")  # mistake
    hook.iter_report(start="2026-11-01", end="2026-11-02", group_by="day", page_size="9")  # mistake
    hook.get_report_summary(start=20261101, end="2026-11-02", group_by="day")  # mistake
    PeerClickHook(pool_slots="1")  # mistake


with DAG("user_dag", schedule="@daily", start_date=pendulum.datetime(2026, 11, 1)):
    # What is right passes.
    PeerClickReportSensor(task_id="ok_sensor", deferrable=True, poke_interval=60, retries=2)
    PeerClickReportOperator(task_id="ok_report", group_by="campaign", columns=["visits"], pool="p")
    PeerClickReportToStorageOperator(
        task_id="ok_land", destination="/tmp/peerclick", group_by="day", lookback_days=3, format="csv"
    )
    PeerClickGetCampaignOperator(task_id="ok_get", campaign_id="{{ params.id }}", peerclick_conn_id="b")
    PeerClickUpdateCampaignOperator(task_id="ok_update", campaign_id=1, body={"status": "PAUSED"})
    PeerClickCampaignSensor(task_id="ok_wait", name="Black Friday", timeout=timedelta(hours=1))
    totals_by_hand()

    # Each of these is wrong.
    PeerClickReportOperator(task_id="a", group_bye="campaign")  # mistake
    PeerClickReportSensor(task_id="b", deferable=True)  # mistake
    PeerClickGetCampaignOperator(task_id="c", campaign_id=1, peerclick_conn_id=5)  # mistake
    PeerClickReportSensor(task_id="d", deferrable="yes")  # mistake
    PeerClickReportOperator(task_id="e", group_by="day", include_rows="yes")  # mistake
    PeerClickReportOperator(task_id="f", group_by="day", max_rows="10")  # mistake
    PeerClickReportToStorageOperator(task_id="g", destination="/x", group_by="day", page_size="9")  # mistake
    PeerClickReportToStorageOperator(task_id="h", destination=5, group_by="day")  # mistake
    PeerClickReportToSqlOperator(task_id="i", sql_conn_id="pg", table="t", group_by="day", tz=0)  # mistake
    PeerClickReportToIcebergOperator(task_id="j", warehouse="/w", table="t", lookback_days=1.5)  # mistake
    PeerClickListOffersOperator(task_id="k", statuses="ACTIVE")  # mistake
    PeerClickCreateOfferOperator(task_id="l", body=["name"])  # mistake
    PeerClickUpdateCampaignOperator(task_id="m", campaign_id=1)  # mistake
    PeerClickCampaignSensor(task_id="n", campaign_id=1, poke_interval="60")  # mistake
    PeerClickOfferSensor(task_id="o", offer_id=1, retries="3")  # mistake
    PeerClickReportOperator(group_by="day")  # mistake
    PeerClickCampaignSensor(task_id="p", campaign_id=1, mode=1)  # mistake
    PeerClickReportToStorageOperator(task_id="q", destination="/x", group_by="day", retry_dely=5)  # mistake
