"""
A daily snapshot of PeerClick campaigns and offers, one JSON Lines partition per entity kind and day.

Each task lists one kind and lands it in storage itself: an account's entity lists can be far too big
for XCom, which is for small values (the list operators fail above ``max_entities``). Only the small
summary of what landed goes to XCom.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, ObjectStoragePath, task

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.storage.snapshot import land_snapshot

# airflow.sdk's on Airflow 3.2+, the core one on 3.0 and 3.1 (the provider's version_compat picks).
from airflow_provider_peerclick.version_compat import CronDataIntervalTimetable

# Settings from the environment (this file is self-contained): see peerclick_daily_report.
TZ = os.environ.get("PEERCLICK_ACCOUNT_TZ", "UTC")
LAKE = (
    os.environ.get("PEERCLICK_LANDING_URL")
    or (Path(__file__).resolve().parents[1] / "data/peerclick").as_uri()
)
SNAPSHOTS = f"{LAKE}/snapshots"

with DAG(
    dag_id="peerclick_entities_snapshot",
    schedule=CronDataIntervalTimetable("@daily", timezone=TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=TZ),
    catchup=False,
    tags=["peerclick", "example"],
    doc_md=__doc__,
) as dag:
    # [START howto_hook_peerclick]
    for kind in ("campaigns", "offers"):
        # peerclick_api: the pool whose slots keep campaign and offer calls under PeerClick's limit.
        @task(task_id=f"snapshot_{kind}", pool="peerclick_api", outlets=[Asset(f"{SNAPSHOTS}/{kind}")])
        def snapshot(kind: str = kind, **context: Any) -> dict[str, Any]:
            hook = PeerClickHook()
            entities = hook.list_campaigns() if kind == "campaigns" else hook.list_offers()
            ds = context["data_interval_end"].in_timezone(TZ).to_date_string()
            return land_snapshot(entities, base=ObjectStoragePath(SNAPSHOTS), kind=kind, ds=ds).to_xcom()

        snapshot()
    # [END howto_hook_peerclick]
