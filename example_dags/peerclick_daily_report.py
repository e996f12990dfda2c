"""
Land yesterday's PeerClick reports every day: one partition per group-by, reconciled, replaced on rerun.

The schedule is a CronDataIntervalTimetable in the account's time zone, so each run's data interval is
one account day (``@daily`` alone gives zero-length intervals in Airflow 3). Backfills work as usual
(``airflow backfill create --dag-id peerclick_daily_report --from-date ... --to-date ...``): every day is
its own partition, and a rerun replaces it. Each run also re-checks the ``LOOKBACK_DAYS`` days before its
own with one summary request each and re-lands those whose totals changed (late conversions).

Tasks run in the ``peerclick_reports`` pool (create it with ``peerclick-pools create``): one report
request per second for the whole deployment, whatever the number of workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import DAG

from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

# airflow.sdk's on Airflow 3.2+, the core one on 3.0 and 3.1 (the provider's version_compat picks).
from airflow_provider_peerclick.version_compat import CronDataIntervalTimetable

# Settings from the environment, read at parse time (no network, no DB), so this file works on its own.
# Where reports land: any ObjectStoragePath URL (file://, s3://, gs://...); default data/ beside the DAGs.
LANDING_URL = os.environ.get(
    "PEERCLICK_LANDING_URL", (Path(__file__).resolve().parents[1] / "data" / "peerclick").as_uri()
)
# The PeerClick account's time zone: days start at midnight there.
ACCOUNT_TZ = os.environ.get("PEERCLICK_ACCOUNT_TZ", "UTC")
# How long the sensor waits between two looks at yesterday's report before calling it settled.
SETTLE_SECONDS = float(os.environ.get("PEERCLICK_SETTLE_SECONDS", "300"))
# Days before each run's day that are re-checked (one summary request each) and re-landed if PeerClick's
# numbers changed since: late conversions are attributed to the click's day.
LOOKBACK_DAYS = int(os.environ.get("PEERCLICK_LOOKBACK_DAYS", "3"))
# Group-bys landed every day, one task (and one Asset) each.
GROUP_BYS = ("campaign", "offer", "country")

with DAG(
    dag_id="peerclick_daily_report",
    schedule=CronDataIntervalTimetable("@daily", timezone=ACCOUNT_TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=ACCOUNT_TZ),
    catchup=False,
    max_active_runs=3,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=5)},
    tags=["peerclick", "example"],
    doc_md=__doc__,
) as dag:
    # Late clicks and conversions keep arriving for a while; land only once yesterday has settled. A day
    # past the lookback window is final (a backfill of old days): its first poll is the answer.
    # [START howto_sensor_peerclick_report]
    settled = PeerClickReportSensor(
        task_id="wait_until_settled",
        group_by="day",
        tz=ACCOUNT_TZ,
        poke_interval=SETTLE_SECONDS,
        timeout=6 * 3600,
        deferrable=True,
        final_after=pendulum.duration(days=LOOKBACK_DAYS),
    )
    # [END howto_sensor_peerclick_report]
    # The day's totals in XCom, for alerts or checks downstream: the sensor's own report, so its answer is
    # reused and no request is sent.
    # [START howto_operator_peerclick_report]
    settled >> PeerClickReportOperator(task_id="day_totals", group_by="day", tz=ACCOUNT_TZ)
    # [END howto_operator_peerclick_report]
    # [START howto_operator_peerclick_report_to_storage]
    for group_by in GROUP_BYS:
        settled >> PeerClickReportToStorageOperator(
            task_id=f"land_{group_by.replace('-', '_')}",
            destination=LANDING_URL,
            group_by=group_by,
            tz=ACCOUNT_TZ,
            # Conversions keep arriving for days: re-check the days before and re-land those that changed.
            lookback_days=LOOKBACK_DAYS,
        )
    # [END howto_operator_peerclick_report_to_storage]
