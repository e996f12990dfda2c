"""Arguments wrong only once rendered: they must fail before any request, and without the retries the DAG
gives its tasks, since the same arguments would fail again (test_invalid_arguments.py)."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_peerclick.operators.entities import PeerClickGetCampaignOperator
from airflow_provider_peerclick.operators.report import PeerClickReportOperator
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

with DAG(
    "peerclick_invalid",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 2, "retry_delay": pendulum.duration(seconds=0)},
) as dag:
    PeerClickReportOperator(task_id="bad_group_by", group_by="{{ 'week' }}")
    PeerClickReportOperator(
        task_id="bad_start", group_by="day", start="{{ ds }}T10:30:00", end="{{ ds }}T12:00:00"
    )
    PeerClickGetCampaignOperator(task_id="bad_campaign_id", campaign_id="{{ 'minus-one' }}")
    PeerClickReportSensor(task_id="bad_tz", tz="{{ 'Mars/Olympus' }}", poke_interval=5, deferrable=True)
