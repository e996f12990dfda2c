"""
Land yesterday's PeerClick campaign report in a PostgreSQL table every day, one transaction per day.

Readers of ``peerclick_campaign`` see each day whole or not at all: the day's rows are deleted and
inserted again in one transaction, which commits only once they add up to PeerClick's totals. The load
table ``peerclick_loads`` records, per day, the row count and totals PeerClick reported, for audits.

Connections (from the environment or the UI): ``peerclick_default`` (the PeerClick account) and
``peerclick_warehouse``, a Postgres connection, e.g.
``AIRFLOW_CONN_PEERCLICK_WAREHOUSE='postgresql://user:password@db.example.com:5432/analytics'``.
Any other database with a common.sql hook works too (SQLite: ``sqlite:////path/to/file.db``).

Create the pools first: ``peerclick-pools create``.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG

from airflow_provider_peerclick.operators.sql import PeerClickReportToSqlOperator
from airflow_provider_peerclick.version_compat import CronDataIntervalTimetable

ACCOUNT_TZ = os.environ.get("PEERCLICK_ACCOUNT_TZ", "UTC")
SQL_CONN_ID = os.environ.get("PEERCLICK_SQL_CONN_ID", "peerclick_warehouse")
LOOKBACK_DAYS = int(os.environ.get("PEERCLICK_LOOKBACK_DAYS", "3"))

with DAG(
    dag_id="peerclick_report_to_postgres",
    # Each run's data interval is one whole account day, midnight to midnight, as a table lands them.
    schedule=CronDataIntervalTimetable("@daily", timezone=ACCOUNT_TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=ACCOUNT_TZ),
    catchup=False,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=5)},
    tags=["peerclick", "sql"],
):
    # [START howto_operator_peerclick_report_to_sql]
    PeerClickReportToSqlOperator(
        task_id="land_campaigns",
        sql_conn_id=SQL_CONN_ID,
        table="peerclick_campaign",
        group_by="campaign",
        tz=ACCOUNT_TZ,
        # Late conversions: re-check the days before, one request each, and replace those changed.
        lookback_days=LOOKBACK_DAYS,
    )
    # [END howto_operator_peerclick_report_to_sql]
