"""
Land yesterday's PeerClick campaign report in an Apache Iceberg table every day, one commit per day.

Every Iceberg reader (Spark, Trino, Athena, Snowflake, DuckDB, pyiceberg) sees each day whole or not at
all: the day's rows are written as a Parquet data file, checked against PeerClick's totals, and then the
day is replaced in one snapshot, whose summary records the row count and totals PeerClick reported.

By default the warehouse is a local folder with a SQL catalog in a SQLite file inside it; set
``PEERCLICK_ICEBERG_CATALOG_CONN_ID`` to a connection of type ``iceberg`` for a REST catalog (Polaris,
Nessie, Glue's or Snowflake's), whose warehouse then holds the table. Needs the ``iceberg`` extra.

Create the pools first: ``peerclick-pools create``.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG

from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator
from airflow_provider_peerclick.version_compat import CronDataIntervalTimetable

ACCOUNT_TZ = os.environ.get("PEERCLICK_ACCOUNT_TZ", "UTC")
WAREHOUSE = os.environ.get("PEERCLICK_ICEBERG_WAREHOUSE", "/opt/airflow/data/peerclick-iceberg")
CATALOG_CONN_ID = os.environ.get("PEERCLICK_ICEBERG_CATALOG_CONN_ID") or None
LOOKBACK_DAYS = int(os.environ.get("PEERCLICK_LOOKBACK_DAYS", "3"))

with DAG(
    dag_id="peerclick_report_to_iceberg",
    # Each run's data interval is one whole account day, midnight to midnight, as the table lands them.
    schedule=CronDataIntervalTimetable("@daily", timezone=ACCOUNT_TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=ACCOUNT_TZ),
    catchup=False,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=5)},
    tags=["peerclick", "iceberg"],
):
    # [START howto_operator_peerclick_report_to_iceberg]
    PeerClickReportToIcebergOperator(
        task_id="land_campaigns",
        warehouse=WAREHOUSE,
        table="peerclick.campaign",
        catalog_conn_id=CATALOG_CONN_ID,
        group_by="campaign",
        tz=ACCOUNT_TZ,
        # Late conversions: re-check the days before, one request each, and replace those changed.
        lookback_days=LOOKBACK_DAYS,
    )
    # [END howto_operator_peerclick_report_to_iceberg]
