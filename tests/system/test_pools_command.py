"""``peerclick-pools``: the pools sized to PeerClick's limits, created idempotently and checked loudly."""

from __future__ import annotations

import json

import pytest

from airflow_provider_peerclick.pools import API_POOL, POOLS_FILE, REPORTS_POOL, pool_problems, pool_specs


def test_pools_file_adds_up_to_the_account_limit():
    document = json.loads(POOLS_FILE.read_text())
    assert document[REPORTS_POOL]["slots"] == 1
    assert document[REPORTS_POOL]["slots"] + document[API_POOL]["slots"] == 3
    assert all(pool["include_deferred"] is True for pool in document.values())


def test_problems_name_what_is_wrong():
    problems = pool_problems(pool_specs(), {API_POOL: (5, False)})
    assert any("'peerclick_reports' is missing" in problem for problem in problems)
    assert any("has 5 slots, expected 2 (oversized" in problem for problem in problems)
    assert any("include_deferred=False" in problem for problem in problems)
    assert pool_problems(pool_specs(), {REPORTS_POOL: (1, True), API_POOL: (2, True)}) == []


@pytest.mark.slow
def test_create_is_idempotent_and_check_catches_a_resized_pool(airflow_home):
    assert "created peerclick_reports: 1 slot, include_deferred=True" in airflow_home.pools_created
    assert "created peerclick_api: 2 slots, include_deferred=True" in airflow_home.pools_created

    airflow_home.airflow("pools", "set", API_POOL, "1", "shrunk by a test")
    check = airflow_home.pools("check")
    assert check.returncode == 1
    assert "pool 'peerclick_api' has 1 slot, expected 2 (undersized)" in check.stderr

    again = airflow_home.pools("create")
    assert "updated peerclick_api: slots 1 -> 2" in again.stdout
    assert "unchanged peerclick_reports" in again.stdout
    assert airflow_home.pools("check").returncode == 0


def test_each_account_gets_its_own_pools():
    specs = pool_specs(["peerclick_default", "acct_b"])
    assert [(spec.name, spec.slots) for spec in specs] == [
        ("peerclick_reports", 1),
        ("peerclick_api", 2),
        ("peerclick_reports__acct_b", 1),
        ("peerclick_api__acct_b", 2),
    ]
    assert all("acct_b" in spec.description for spec in specs[2:])


@pytest.mark.slow
def test_create_and_check_take_the_connections_to_size_pools_for(airflow_home):
    assert airflow_home.pools("check", "--conn-id", "acct_b").returncode == 1
    created = airflow_home.pools("create", "--conn-id", "peerclick_default", "--conn-id", "acct_b")
    assert "created peerclick_reports__acct_b: 1 slot, include_deferred=True" in created.stdout
    assert "unchanged peerclick_reports" in created.stdout
    check = airflow_home.pools("check", "--conn-id", "acct_b")
    assert check.returncode == 0, check.stderr
    assert "peerclick_api__acct_b (2 slots)" in check.stdout


def test_with_a_shared_budget_pools_only_bound_concurrency():
    specs = pool_specs(["acct_b"], shared_slots=4)
    # Deferred sensors give their slot back: their triggers spend the same shared budget.
    assert [(spec.name, spec.slots, spec.include_deferred) for spec in specs] == [
        ("peerclick_reports__acct_b", 4, False),
        ("peerclick_api__acct_b", 4, False),
    ]
    assert all("a shared budget" in spec.description for spec in specs)
    problems = pool_problems(specs, {spec.name: (4, True) for spec in specs})
    assert "hold slots that their shared budget does not need" in problems[0]
