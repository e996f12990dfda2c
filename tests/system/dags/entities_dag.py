"""Campaign and offer operators and sensors, run by test_entity_tasks.py."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from collect import collect

from airflow_provider_peerclick.operators.entities import (
    PeerClickCreateOfferOperator,
    PeerClickGetOfferOperator,
    PeerClickListCampaignsOperator,
    PeerClickUpdateCampaignOperator,
    PeerClickUpdateOfferOperator,
)
from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor, PeerClickOfferSensor

OFFER = {"name": "Airflow test offer", "workspaceId": 1, "url": "https://offers.example/af?click={clickid}"}

with DAG("peerclick_entities", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
    listed = PeerClickListCampaignsOperator(task_id="list_active", statuses=["ACTIVE"])
    got = PeerClickGetOfferOperator(task_id="get_offer", offer_id=2)
    created = PeerClickCreateOfferOperator(task_id="create_offer", body=OFFER, reuse_existing_by_name=True)
    again = PeerClickCreateOfferOperator(task_id="create_again", body=OFFER, reuse_existing_by_name=True)
    payout = PeerClickUpdateOfferOperator(
        task_id="payout",
        offer_id="{{ ti.xcom_pull(task_ids='create_offer')['id'] }}",
        body={"payout": {"type": "FIXED", "value": 2.5, "currency": "USD"}},
    )
    pause = PeerClickUpdateCampaignOperator(task_id="pause", campaign_id=3, body={"status": "PAUSED"})
    paused = PeerClickCampaignSensor(
        task_id="paused", campaign_id=3, status="PAUSED", poke_interval=5, deferrable=True
    )
    by_name = PeerClickOfferSensor(task_id="by_name", name=OFFER["name"], poke_interval=5, deferrable=False)
    missing = PeerClickOfferSensor(
        task_id="missing", offer_id=9999, poke_interval=5, timeout=7, deferrable=True
    )
    listed >> got >> created >> again >> payout >> by_name
    got >> pause >> paused >> missing
    collect(
        listed=listed.output,
        got=got.output,
        created=created.output,
        again=again.output,
        payout=payout.output,
        paused=paused.output,
        by_name=by_name.output,
    )
