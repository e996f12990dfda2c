"""Which budget a connection without a store spends: host-local where every task runs on this host."""

from __future__ import annotations

import pytest

from airflow_provider_peerclick.exceptions import (
    PeerClickConnectionConfigError,
    PeerClickStoreUnavailableError,
)
from airflow_provider_peerclick.hooks._deployment import budget_mode, local_store_url, runs_on_one_host


@pytest.mark.parametrize(
    ("executors", "one_host"),
    [
        ("LocalExecutor", True),
        ("airflow.executors.local_executor.LocalExecutor", True),
        ("LocalExecutor,SequentialExecutor", True),
        ("fast:airflow.executors.local_executor.LocalExecutor", True),
        ("CeleryExecutor", False),
        ("LocalExecutor,CeleryExecutor", False),  # some tasks run on other hosts
        ("airflow.providers.cncf.kubernetes.executors.kubernetes_executor.KubernetesExecutor", False),
        ("airflow.providers.edge3.executors.EdgeExecutor", False),
        ("my_company.MyExecutor", False),  # unknown: never guessed to be one host
        ("", False),
    ],
)
def test_one_host_is_read_from_the_configured_executors(executors, one_host):
    assert runs_on_one_host(executors) is one_host


@pytest.mark.parametrize(
    ("setting", "executor", "mode"),
    [
        ("auto", "LocalExecutor", "host"),
        ("auto", "CeleryExecutor", "process"),
        ("host", "CeleryExecutor", "host"),  # the user knows the Celery workers share this host
        ("process", "LocalExecutor", "process"),
        (" HOST ", "CeleryExecutor", "host"),
    ],
)
def test_the_mode_follows_the_setting_then_the_executor(monkeypatch, setting, executor, mode):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", setting)
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", executor)
    assert budget_mode() == mode


def test_an_unknown_mode_names_the_setting_and_what_is_allowed(monkeypatch):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "redis")
    with pytest.raises(PeerClickConnectionConfigError) as raised:
        budget_mode()
    assert "[peerclick] budget" in str(raised.value)
    assert "allowed: auto, host, process" in str(raised.value)


def test_the_folder_defaults_to_airflow_home(monkeypatch, tmp_path):
    monkeypatch.delenv("AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    assert local_store_url() == (tmp_path / "peerclick").as_uri()


def test_a_host_budget_describes_itself_and_spends_the_accounts_rates(make_hook, monkeypatch, host_store):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "host")
    budget = make_hook().budget
    assert budget.shared
    assert (budget.requests_per_second, budget.report_requests_per_second) == (3.0, 1.0)
    assert f"shared by every process of this host through {host_store}" in budget.describe()


def test_account_rates_lower_the_host_budget(make_hook, monkeypatch):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "host")
    budget = make_hook(account_requests_per_second=1.5, account_report_requests_per_second=0.5).budget
    assert (budget.requests_per_second, budget.report_requests_per_second) == (1.5, 0.5)


def test_a_folder_that_cannot_be_written_fails_before_any_request(make_hook, emulator, monkeypatch, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    monkeypatch.setenv("AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR", str(in_the_way))
    with pytest.raises(PeerClickStoreUnavailableError) as raised:
        make_hook(max_retry_seconds=1).list_campaigns()  # waits out its retry budget first
    message = str(raised.value)
    assert f"host-local rate-limit store in {in_the_way}" in message
    assert "[peerclick] local_budget_dir" in message
    assert emulator.stats()["requests"] == 0


def test_a_connection_may_name_a_host_folder_as_its_store(make_hook, emulator, tmp_path):
    folder = tmp_path / "explicit"
    hook = make_hook(rate_limit_store=folder.as_uri())
    assert hook.budget.shared
    hook.list_campaigns()
    assert any(folder.iterdir())  # the window and the sealed token live there
    kept = b"".join(path.read_bytes() for path in folder.iterdir())
    secrets = [emulator.access_key, *emulator.issued_tokens()]
    assert [secret for secret in secrets if secret.encode() in kept] == []
