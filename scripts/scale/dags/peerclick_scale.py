"""
The `make scale` scenario: per account, a deferrable sensor waits for the day to settle, then a MAPPED
landing writes the day by campaign, offer and country; campaigns and offers are listed alongside.

Two layouts (the harness says which in PEERCLICK_SCALE_LAYOUT): a task group per account, or, as an agency
with tens of accounts would write it, every task mapped over the accounts' connections.

Scheduled with a data interval (one UTC day per run) so backfills have days to cover. Its start_date is
the harness's "today": the scheduler itself never has a complete interval to run, so every run in the
database is one of the backfill's.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import DAG, CronDataIntervalTimetable, TaskGroup

from airflow_provider_peerclick.operators.entities import (
    PeerClickListCampaignsOperator,
    PeerClickListOffersOperator,
)
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor
from scripts.scale.scenario import (
    ACCOUNTS,
    DAG_ID,
    EXPLICIT_POOLS,
    FIRST_UNSCHEDULED_DAY_ENV,
    GROUP_BYS,
    LANDING_ENV,
    LAYOUT_ENV,
    MAPPED_ACCOUNTS,
    api_pool,
    report_pool,
)

LANDING = os.environ.get(LANDING_ENV, "/tmp/peerclick_scale")  # noqa: S108 - only when parsed outside the harness
START_DATE = pendulum.from_format(
    os.environ.get(FIRST_UNSCHEDULED_DAY_ENV) or pendulum.today("UTC").to_date_string(),
    "YYYY-MM-DD",
    tz="UTC",
)


# As in a DAG whose landings re-check 3 days back: older days are final, so the backfill's four oldest
# days are settled by one poll, the three newest by two.
FINAL_AFTER = pendulum.duration(days=3)


def pool(name: str) -> dict[str, Any]:
    """`pool=` for a task, while the provider cannot pick the account's pool itself."""
    return {"pool": name} if EXPLICIT_POOLS else {}


def per_account_tasks() -> None:
    for conn_id in ACCOUNTS:
        with TaskGroup(group_id=conn_id):
            settled = PeerClickReportSensor(
                task_id="settled",
                peerclick_conn_id=conn_id,
                group_by="day",
                tz="UTC",
                poke_interval=5,  # the emulator's days are settled at once: two polls 5 s apart agree
                timeout=600,
                deferrable=True,
                final_after=FINAL_AFTER,
                **pool(report_pool(conn_id)),
            )
            settled >> PeerClickReportToStorageOperator.partial(
                task_id="land",
                peerclick_conn_id=conn_id,
                destination=f"{LANDING}/{conn_id}",
                tz="UTC",
                **pool(report_pool(conn_id)),
            ).expand_kwargs([{"group_by": group_by} for group_by in GROUP_BYS])
            PeerClickListCampaignsOperator(
                task_id="campaigns", peerclick_conn_id=conn_id, **pool(api_pool(conn_id))
            )
            PeerClickListOffersOperator(
                task_id="offers", peerclick_conn_id=conn_id, **pool(api_pool(conn_id))
            )


def mapped_account_tasks() -> None:
    accounts = list(ACCOUNTS)
    settled = PeerClickReportSensor.partial(
        task_id="settled",
        group_by="day",
        tz="UTC",
        poke_interval=5,
        timeout=600,
        deferrable=True,
        final_after=FINAL_AFTER,
    ).expand(peerclick_conn_id=accounts)
    settled >> PeerClickReportToStorageOperator.partial(task_id="land", tz="UTC").expand_kwargs(
        [
            {"peerclick_conn_id": conn_id, "group_by": group_by, "destination": f"{LANDING}/{conn_id}"}
            for conn_id in accounts
            for group_by in GROUP_BYS
        ]
    )
    PeerClickListCampaignsOperator.partial(task_id="campaigns").expand(peerclick_conn_id=accounts)
    PeerClickListOffersOperator.partial(task_id="offers").expand(peerclick_conn_id=accounts)


with DAG(
    dag_id=DAG_ID,
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    # Airflow's own restarts only: the rate budget must hold without them, and the harness reports tries.
    default_args={"retries": 1, "retry_delay": pendulum.duration(seconds=5)},
    tags=["peerclick", "scale"],
    doc_md=__doc__,
) as dag:
    if os.environ.get(LAYOUT_ENV) == MAPPED_ACCOUNTS:
        mapped_account_tasks()
    else:
        per_account_tasks()
