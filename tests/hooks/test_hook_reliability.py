"""Retries against the live emulator's fault switches: what is retried, what is not, and how long."""

from __future__ import annotations

import datetime as dt
import time
from email.utils import format_datetime

import pytest

from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTransportError,
)

RATE_LIMIT_CODE = "NUMBER_OF_REQUEST_FOR_IP_EXCEEDED"


@pytest.mark.slow
def test_429_with_retry_after_seconds_is_obeyed(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/campaign", status=429, retry_after="2", count=1)
    started = time.monotonic()
    hook.list_campaigns()
    assert time.monotonic() - started >= 2.0
    assert emulator.stats()["faults_served"] == 1


def test_429_with_retry_after_http_date_is_obeyed(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3), usegmt=True)
    emulator.fault(path="/offer", status=429, retry_after=when, count=1)
    started = time.monotonic()
    hook.list_offers()
    assert time.monotonic() - started >= 1.5  # HTTP-dates have one-second resolution


def test_rate_limit_code_in_the_body_counts_as_a_refusal(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    body = {"error": {"code": "NUMBER_OF_REQUEST_FOR_IP_EXCEEDED", "description": "slow down"}}
    emulator.fault(path="/campaign", status=400, body=body, retry_after="1", count=1)
    assert isinstance(hook.list_campaigns(), list)
    assert emulator.stats()["faults_served"] == 1


@pytest.mark.parametrize("body", [{"error": {"code": RATE_LIMIT_CODE}}, {"code": RATE_LIMIT_CODE}])
def test_a_success_status_with_the_rate_limit_code_is_retried_like_a_429(emulator, make_hook, body):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", method="POST", status=200, body=body, retry_after="1", count=1)
    started = time.monotonic()
    offer = hook.create_offer({"name": "after-refusal", "workspaceId": 1, "url": "https://example.test/a"})
    assert time.monotonic() - started >= 1.0
    assert offer["name"] == "after-refusal"
    assert emulator.stats()["faults_served"] == 1


def test_a_retry_after_beyond_the_retry_budget_fails_at_once_and_says_so(emulator, make_hook):
    hook = make_hook(max_retry_seconds=60)
    hook.get_token()
    emulator.fault(path="/campaign", status=429, retry_after="86400", count=1)
    started = time.monotonic()
    with pytest.raises(PeerClickRateLimitError) as error:
        hook.list_campaigns()
    assert time.monotonic() - started < 5
    message = str(error.value)
    assert "asked to wait 86400 s" in message
    assert "retry budget of 60 s (max_retry_seconds)" in message
    assert error.value.retry_after == 86400


@pytest.mark.slow
def test_exhausted_retries_say_how_many_attempts_over_how_long(emulator, make_hook):
    hook = make_hook(max_attempts=3)
    hook.get_token()
    emulator.fault(path="/offer", status=503, count=5)
    with pytest.raises(PeerClickServerError, match=r"HTTP 503 to GET /offer.*after 3 attempts in \d+\.\d s"):
        hook.list_offers()
    assert emulator.stats()["faults_served"] == 3


def test_refusals_that_outlast_the_attempts_raise_a_rate_limit_error(emulator, make_hook):
    hook = make_hook(max_attempts=2)
    hook.get_token()
    emulator.fault(path="/campaign", status=429, retry_after="1", count=5)
    with pytest.raises(PeerClickRateLimitError, match=r"HTTP 429 to GET /campaign.*after 2 attempts"):
        hook.list_campaigns()
    assert emulator.stats()["faults_served"] == 2


@pytest.mark.slow
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(emulator, make_hook, status):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", status=status, count=2)
    assert isinstance(hook.list_offers(), list)
    assert emulator.stats()["faults_served"] == 2


def test_client_errors_are_not_retried_and_keep_status_path_and_description(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    with pytest.raises(PeerClickAPIError) as error:
        hook.get_campaign(987654)
    assert (error.value.status, error.value.method, error.value.path) == (404, "GET", "/campaign/987654")
    assert "987654" in (error.value.description or "")
    assert emulator.stats()["requests"] == 2  # the exchange and one attempt


@pytest.mark.slow
def test_dropped_connections_and_malformed_bodies_are_retried_for_reads(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/campaign", drop=True, count=1)
    emulator.fault(path="/campaign", malformed=True, count=1)
    assert isinstance(hook.list_campaigns(), list)
    assert emulator.stats()["faults_served"] == 2


@pytest.mark.slow
def test_a_create_whose_answer_times_out_is_not_sent_again(emulator, make_hook):
    hook = make_hook(read_timeout=1)
    hook.get_token()
    emulator.fault(path="/campaign", method="POST", latency=2.5, count=1)
    with pytest.raises(PeerClickTransportError, match="timed out waiting for the answer"):
        hook.create_campaign({"name": "only-once", "workspaceId": 1})
    time.sleep(2)  # let the emulator finish the request it was still answering
    created = [c for c in hook.list_campaigns() if c["name"] == "only-once"]
    assert len(created) == 1


def test_a_create_answered_with_503_is_not_sent_again(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", method="POST", status=503, count=1)
    with pytest.raises(PeerClickServerError):
        hook.create_offer({"name": "o", "workspaceId": 1, "url": "https://example.test/o"})
    assert emulator.stats()["faults_served"] == 1
    assert emulator.stats()["requests"] == 2


@pytest.mark.slow
def test_a_create_refused_by_the_rate_limit_is_sent_again(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", method="POST", status=429, retry_after="1", count=1)
    offer = hook.create_offer({"name": "retried", "workspaceId": 1, "url": "https://example.test/r"})
    assert offer["id"] > 0
    assert [o["name"] for o in hook.list_offers()].count("retried") == 1
