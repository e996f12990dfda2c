"""A daily snapshot of PeerClick campaigns and offers, one JSON Lines partition per entity and day."""

from __future__ import annotations

from typing import Any

import pendulum
from _settings import ACCOUNT_TZ, LANDING_URL
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, ObjectStoragePath, task

from airflow_provider_peerclick.operators.entities import (
    PeerClickListCampaignsOperator,
    PeerClickListOffersOperator,
)
from airflow_provider_peerclick.storage.snapshot import land_snapshot

SNAPSHOTS = f"{LANDING_URL}/snapshots"

with DAG(
    dag_id="peerclick_entities_snapshot",
    schedule=CronDataIntervalTimetable("@daily", timezone=ACCOUNT_TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=ACCOUNT_TZ),
    catchup=False,
    tags=["peerclick", "example"],
    doc_md=__doc__,
) as dag:
    for kind, list_operator in (
        ("campaigns", PeerClickListCampaignsOperator),
        ("offers", PeerClickListOffersOperator),
    ):
        listed = list_operator(task_id=f"list_{kind}")

        @task(task_id=f"land_{kind}", outlets=[Asset(f"{SNAPSHOTS}/{kind}")])
        def land(entities: list[dict[str, Any]], kind: str = kind, **context: Any) -> dict[str, Any]:
            ds = context["data_interval_end"].in_timezone(ACCOUNT_TZ).to_date_string()
            landed = land_snapshot(entities, base=ObjectStoragePath(SNAPSHOTS), kind=kind, ds=ds)
            return landed.to_xcom()

        land(listed.output)
