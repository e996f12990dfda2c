"""Report tasks mapped over two accounts, as an agency maps over its clients' connections."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from collect import collect

from airflow_provider_peerclick.operators.report import PeerClickReportOperator

DAY = {"start": "2026-11-19", "end": "2026-11-20"}

with DAG(
    "peerclick_mapped_accounts", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")
) as dag:
    per_account = PeerClickReportOperator.partial(task_id="per_account", group_by="campaign", **DAY).expand(
        peerclick_conn_id=["acct_a", "acct_b"]
    )
    collect(per_account=per_account.output)
