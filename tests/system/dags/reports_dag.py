"""Report operator and sensor tasks, run by test_report_tasks.py."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable
from collect import collect

from airflow_provider_peerclick.operators.report import PeerClickReportOperator
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

with DAG(
    "peerclick_reports",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
) as dag:
    summary = PeerClickReportOperator(task_id="summary", group_by="campaign", tz="Europe/Berlin")
    rows = PeerClickReportOperator(
        task_id="rows", group_by="country", columns=["visits", "revenue"], include_rows=True
    )
    too_many = PeerClickReportOperator(task_id="too_many", group_by="campaign", include_rows=True, max_rows=2)
    settled = PeerClickReportSensor(task_id="settled", group_by="day", poke_interval=5, deferrable=True)
    # The sensor's very report: its answer is taken from the sensor's XCom, no request sent.
    same = PeerClickReportOperator(task_id="same_as_settled", group_by="day")
    # Another group-by has another row count: asked anew.
    other = PeerClickReportOperator(task_id="other_than_settled", group_by="country")
    settled >> [same, other]
    poked = PeerClickReportSensor(
        task_id="poked",
        group_by="day",
        start="{{ data_interval_start }}",
        end="{{ data_interval_end }}",
        poke_interval=5,
        deferrable=False,
        condition=lambda report: report["totals"]["visits"] > 0,
    )
    collect(**{task.task_id: task.output for task in (summary, rows, settled, poked, same, other)})
