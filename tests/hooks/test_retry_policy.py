"""What is retried, and for how long the hook waits."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest

from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickAuthError,
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.retries import is_retryable, parse_retry_after


def test_retry_after_in_seconds():
    assert parse_retry_after("3") == 3.0


def test_retry_after_as_http_date():
    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), usegmt=True)
    assert 3.0 <= parse_retry_after(when) <= 5.0


@pytest.mark.parametrize("value", [None, "", "soon", "-1"])
def test_unreadable_retry_after_is_ignored(value):
    assert parse_retry_after(value) is None


def test_past_http_date_means_no_wait():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


REFUSED = PeerClickRateLimitError(429, "POST", "/campaign", None, 1.0)
FAILED = PeerClickServerError(503, "POST", "/campaign", None)
NOT_REACHED = PeerClickTransportError("POST", "/campaign", "could not connect", may_have_reached_server=False)
LOST = PeerClickTransportError("POST", "/campaign", "timed out", may_have_reached_server=True)


@pytest.mark.parametrize(
    ("exc", "safe", "unsafe"),
    [
        (REFUSED, True, True),
        (FAILED, True, False),
        (PeerClickServerError(501, "GET", "/x", None), False, False),
        (NOT_REACHED, True, True),
        (LOST, True, False),
        (PeerClickAPIError(400, "GET", "/report", "bad"), False, False),
        (PeerClickAuthError(401, "GET", "/report", None), False, False),
    ],
)
def test_creates_are_retried_only_when_the_server_cannot_have_acted(exc, safe, unsafe):
    assert is_retryable(exc, replay_safe=True) is safe
    assert is_retryable(exc, replay_safe=False) is unsafe
