"""Which pool PeerClick tasks land in, mapped or not, and what the hook does about the wrong one."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task
from collect import collect

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.operators.report import PeerClickReportOperator

DAY = {"start": "2026-11-19", "end": "2026-11-20"}


@task
def pool_of_my_task(**context):
    ti = context["ti"]
    return {"pool": ti.task.pool, "pool_slots": ti.task.pool_slots}


@task(pool="default_pool")
def outside_the_pools():
    return len(PeerClickHook().list_campaigns())


@task(pool="default_pool")
def opted_out():
    return len(PeerClickHook(check_pool=False).list_campaigns())


@task(pool="peerclick_api")
def campaigns_in_the_api_pool():
    return len(PeerClickHook().list_campaigns())


@task(pool="peerclick_api")
def report_in_the_api_pool():
    return PeerClickHook().get_report_summary(**DAY, group_by="day").total_rows


with DAG("peerclick_pools", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
    mapped = PeerClickReportOperator.partial(task_id="mapped", **DAY).expand(group_by=["campaign", "offer"])
    collect(
        mapped=mapped.output,
        outside=outside_the_pools(),
        opted_out=opted_out(),
        campaigns=campaigns_in_the_api_pool(),
        report=report_in_the_api_pool(),
    )
