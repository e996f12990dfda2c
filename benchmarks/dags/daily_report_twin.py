"""The example `peerclick_daily_report` DAG with EmptyOperators in place of the PeerClick tasks: the same
DAG, schedule and task graph, so its parse cost is what the DAG would cost without the provider."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, CronDataIntervalTimetable  # Airflow 3.2+: the benchmarks run on the newest

GROUP_BYS = ("campaign", "offer", "country")

with DAG(
    dag_id="peerclick_daily_report_twin",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=3,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=5)},
    tags=["peerclick", "example"],
) as dag:
    settled = EmptyOperator(task_id="wait_until_settled")
    settled >> EmptyOperator(task_id="day_totals")
    for group_by in GROUP_BYS:
        settled >> EmptyOperator(task_id=f"land_{group_by}")
