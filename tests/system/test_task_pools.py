"""Every PeerClick task runs in its connection's pool: mapped, grouped or plain, or the hook refuses."""

from __future__ import annotations

import json

import pendulum
import pytest
from airflow.sdk import DAG, TaskGroup

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError
from airflow_provider_peerclick.operators.entities import PeerClickListCampaignsOperator
from airflow_provider_peerclick.operators.report import (
    PeerClickReportOperator,
    PeerClickReportToStorageOperator,
)
from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

from ..compat import serialization_round_trip


def serialized_pools(dag: DAG) -> dict[str, str]:
    """The pools as the scheduler sees them: from the serialized DAG, as the DAG processor stores it."""
    restored = serialization_round_trip(dag)
    return {task.task_id: task.pool for task in restored.tasks}


def test_mapped_and_grouped_tasks_take_their_connections_pool(tmp_path):
    with DAG("pools", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
        PeerClickReportToStorageOperator.partial(task_id="land", destination=str(tmp_path)).expand_kwargs(
            [{"group_by": "campaign"}, {"group_by": "offer"}]
        )
        PeerClickReportOperator.partial(task_id="report").expand(group_by=["campaign"])
        PeerClickReportOperator.partial(task_id="account_b", peerclick_conn_id="acct_b").expand(
            group_by=["campaign"]
        )
        PeerClickReportSensor.partial(task_id="sensor", poke_interval=30).expand(group_by=["day"])
        PeerClickCampaignSensor.partial(task_id="campaign").expand(campaign_id=[1, 2])
        with TaskGroup("group"):
            PeerClickListCampaignsOperator.partial(task_id="listed").expand(statuses=[["ACTIVE"]])
        with TaskGroup("chosen", default_args={"pool": "my_pool"}):
            PeerClickReportOperator.partial(task_id="report").expand(group_by=["offer"])
        PeerClickReportOperator.partial(task_id="named", pool="named_pool").expand(group_by=["offer"])
    assert serialized_pools(dag) == {
        "land": "peerclick_reports",
        "report": "peerclick_reports",
        "account_b": "peerclick_reports__acct_b",
        "sensor": "peerclick_reports",
        "campaign": "peerclick_api",
        "group.listed": "peerclick_api",
        "chosen.report": "my_pool",
        "named": "named_pool",
    }


def test_default_args_choose_the_connection_and_so_the_pools():
    with DAG(
        "accounts",
        schedule=None,
        start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
        default_args={"peerclick_conn_id": "acct_b"},
    ) as dag:
        PeerClickReportOperator(task_id="plain", group_by="campaign")
        PeerClickReportOperator.partial(task_id="mapped").expand(group_by=["campaign"])
        PeerClickListCampaignsOperator(task_id="entities", peerclick_conn_id="acct_c")
    assert serialized_pools(dag) == {
        "plain": "peerclick_reports__acct_b",
        "mapped": "peerclick_reports__acct_b",
        "entities": "peerclick_api__acct_c",
    }


@pytest.mark.slow
def test_the_hook_refuses_a_pool_that_is_not_its_connections(run_dag, emulator):
    # Per-process budgets (several hosts, no Redis): the pools' sizes are the rate.
    result = run_dag("pools_dag", emulator, env={"AIRFLOW__PEERCLICK__BUDGET": "process"})
    # Whitespace collapsed: Airflow 3.0 prints a task's exception as a rich traceback wrapped at 80
    # columns, which splits the messages looked for below across lines.
    tasks, log = result["tasks"], " ".join(result["log"].split())
    assert tasks["mapped"] == "success", log[-5000:]
    assert tasks["campaigns_in_the_api_pool"] == "success"
    assert tasks["opted_out"] == "success"

    assert tasks["outside_the_pools"] == "failed"
    assert "Task 'outside_the_pools' runs in pool 'default_pool'" in log
    assert "Give the task pool='peerclick_reports' or 'peerclick_api'" in log
    # Without a shared store only the reports pool's single slot holds reports to 1/s.
    assert tasks["report_in_the_api_pool"] == "failed"
    assert "Task 'report_in_the_api_pool' runs in pool 'peerclick_api'" in log
    assert "Give the task pool='peerclick_reports' (created" in log
    stats = emulator.stats()
    # The refused tasks sent nothing: the mapped reports, one list each for the two tasks that may, and
    # a token exchange per task process (dag.test runs them all in one process: one exchange).
    assert stats["buckets"]["reports"]["requests"] == 2
    assert stats["refused"] == 0


@pytest.mark.slow
def test_with_the_host_local_budget_any_peerclick_pool_will_do(run_dag, emulator):
    # Airflow's default executor runs every task on this host: one budget for all, pools bound only
    # how many tasks run at once, so a report from the API pool spends the same exact budget.
    result = run_dag("pools_dag", emulator)
    tasks, log = result["tasks"], " ".join(result["log"].split())
    assert tasks["report_in_the_api_pool"] == "success", log[-5000:]
    assert tasks["outside_the_pools"] == "failed"  # outside every PeerClick pool: nothing bounds it
    assert "Task 'outside_the_pools' runs in pool 'default_pool'" in log
    assert emulator.stats()["refused"] == 0


@pytest.fixture
def two_accounts(emulator, emulator_factory) -> dict[str, object]:
    other = emulator_factory(access_id="account-b-id", access_key="account-b-key-s3cret")
    env = {
        **emulator.process.connection_env("acct_a"),
        **other.process.connection_env("acct_b"),
    }
    return {"a": emulator, "b": other, "env": env}


@pytest.mark.slow
def test_tasks_mapped_over_accounts_each_spend_their_own_accounts_budget(run_dag, two_accounts):
    a, b = two_accounts["a"], two_accounts["b"]
    result = run_dag("mapped_accounts_dag", a, env=two_accounts["env"])
    assert result["state"] == "success", result["log"][-5000:]
    for emulator in (a, b):
        stats = emulator.stats()
        assert stats["buckets"]["reports"]["requests"] >= 1
        assert stats["refused"] == 0
        assert stats["tokens_issued"] == 1


def map_over_accounts(**mapping: object) -> DAG:
    with DAG("mapped", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")) as dag:
        PeerClickReportOperator.partial(task_id="per_account").expand(**mapping)
    return dag


@pytest.fixture
def accounts_without_a_store(monkeypatch) -> None:
    for conn_id, extra in (
        ("acct_a", {}),
        ("acct_b", {}),
        ("acct_s", {"rate_limit_store": "redis://r:6379/1"}),
    ):
        connection = {
            "conn_type": "peerclick",
            "login": f"{conn_id}-id",
            "password": "s3cret-key",
            "extra": extra,
        }
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(connection))


def test_without_a_shared_budget_mapping_over_accounts_is_refused_as_the_dag_is_parsed(
    monkeypatch, accounts_without_a_store
):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "process")
    with pytest.raises(PeerClickConnectionConfigError) as refused:
        map_over_accounts(peerclick_conn_id=["acct_a", "acct_b", "acct_s"])
    message = str(refused.value)
    assert "Task 'per_account' is mapped over PeerClick connections 'acct_a', 'acct_b', 'acct_s'" in message
    assert "'acct_a', 'acct_b' name no 'rate_limit_store'" in message
    assert "[peerclick] budget = host" in message
    with (
        pytest.raises(PeerClickConnectionConfigError, match="'acct_b' names no"),
        DAG("kwargs", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")),
    ):
        PeerClickReportOperator.partial(task_id="land").expand_kwargs(
            [{"peerclick_conn_id": "acct_s"}, {"peerclick_conn_id": "acct_b", "group_by": "offer"}]
        )


def test_mapping_over_accounts_that_share_a_budget_is_declared_as_usual(
    monkeypatch, accounts_without_a_store
):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "host")
    assert serialized_pools(map_over_accounts(peerclick_conn_id=["acct_a", "acct_b"])) == {
        "per_account": "peerclick_reports"
    }
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "process")
    # Accounts that each name a store, one account, or accounts known only at run time (an XCom).
    map_over_accounts(peerclick_conn_id=["acct_s"])
    map_over_accounts(group_by=["campaign", "offer"])
    with DAG("from_xcom", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")):
        accounts = PeerClickListCampaignsOperator(task_id="accounts").output
        PeerClickReportOperator.partial(task_id="per_account").expand(peerclick_conn_id=accounts)
