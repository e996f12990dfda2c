"""Only budgets that can be enforced are accepted, and the refusal comes before any request."""

from __future__ import annotations

import time

import pytest

from airflow_provider_peerclick import get_provider_info
from airflow_provider_peerclick.exceptions import (
    PeerClickConnectionConfigError,
    PeerClickInvalidArgumentError,
    PeerClickStoreUnavailableError,
)
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        # A process holds only whole rates exactly: 0.5/s in each of two processes still bursts.
        ({"requests_per_second": 0.5}, "'rate_limit_store' to a Redis URL"),
        ({"report_requests_per_second": 0.5}, "must be 1 (requests per second per task process"),
        ({"report_requests_per_second": 1.5}, "must be 1"),
        ({"report_requests_per_second": 2}, "must be 1"),
        ({"requests_per_second": 4}, "a whole number from 1 to 3"),
        ({"requests_per_second": 1e-6}, "a whole number from 1 to 3"),
        ({"requests_per_second": "nan"}, "a whole number from 1 to 3"),
        ({"request_per_second": 1}, "extra 'request_per_second' is not a PeerClick setting"),
        ({"account_requests_per_second": 4}, "to 3"),
        ({"rate_limit_store": "file:relative/folder"}, "absolute folder"),
        ({"rate_limit_store": "http://127.0.0.1:6379"}, "must be a Redis URL"),
        ({"rate_limit_store": "redis://:hunter2@127.0.0.1:6379", "account_requests_per_second": 4}, "to 3"),
        (
            {"rate_limit_store": "redis://127.0.0.1:1", "requests_per_second": 1},
            "account_requests_per_second",
        ),
        ({"rate_limit_store": "redis://127.0.0.1:1", "account_report_requests_per_second": 0.001}, "0.05"),
    ],
)
def test_unenforceable_rates_fail_before_any_request(make_hook, emulator, extra, fragment):
    hook = make_hook(**extra)
    with pytest.raises(PeerClickConnectionConfigError, match="cannot be used") as raised:
        hook.list_campaigns()
    assert fragment in str(raised.value)
    assert "hunter2" not in str(raised.value)
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"pool_slots": 4}, "4 pool slots x the per-slot rate"),
        ({"requests_per_second": 2.5}, "a whole number from 1 to 3"),
        ({"report_requests_per_second": 3}, "allowed: 1"),
    ],
)
def test_hook_rates_beyond_the_account_limit_fail_before_any_request(
    make_hook, emulator, arguments, fragment
):
    make_hook()
    hook = PeerClickHook(**arguments)
    with pytest.raises(PeerClickInvalidArgumentError, match="PeerClick's limit per account") as raised:
        hook.list_campaigns()
    assert fragment in str(raised.value)
    assert emulator.stats()["requests"] == 0


def test_a_store_that_does_not_answer_stops_the_request_once_the_retry_budget_is_spent(make_hook, emulator):
    hook = make_hook(rate_limit_store="redis://127.0.0.1:1/0", max_retry_seconds=2)
    started = time.monotonic()
    with pytest.raises(PeerClickStoreUnavailableError, match="rate-limit store did not answer") as error:
        hook.list_campaigns()
    assert time.monotonic() - started >= 2.0  # waited for it, the whole retry budget
    assert "max_retry_seconds=2)" in str(error.value)
    assert "reachable from every worker and the triggerer" in str(error.value)
    assert emulator.stats()["requests"] == 0


def test_a_shared_budget_may_be_fractional(make_hook, emulator, rate_store):
    hook = make_hook(rate_limit_store=rate_store, account_requests_per_second=1.5)
    assert hook.budget.shared
    assert hook.budget.requests_per_second == 1.5
    assert len(hook.list_campaigns()) > 0
    assert emulator.stats()["refused"] == 0


def test_a_form_made_connection_takes_a_store_with_no_other_edit(make_hook, emulator, rate_store):
    # The connection form saves every field it shows, empty ones as null; none of them has a default that
    # a store would then refuse.
    fields = get_provider_info()["connection-types"][0]["conn-fields"]
    saved = {name: field["schema"].get("default") for name, field in fields.items()}
    assert saved["requests_per_second"] is None
    assert saved["report_requests_per_second"] is None
    hook = make_hook(**{**saved, "rate_limit_store": rate_store})
    assert hook.budget.shared
    assert len(hook.list_campaigns()) > 0
    assert emulator.stats()["refused"] == 0
