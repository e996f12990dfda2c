"""What is retried, and for how long the hook waits."""

from __future__ import annotations

import datetime as dt
import random
from email.utils import format_datetime

import pytest

from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickAuthError,
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTLSError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks._retries import is_retryable, parse_retry_after


def test_retry_after_in_seconds():
    assert parse_retry_after("3") == 3.0


def test_retry_after_as_http_date():
    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), usegmt=True)
    assert 3.0 <= parse_retry_after(when) <= 5.0


def _in_30_seconds(render) -> str:
    return render(dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=30))


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda t: f"{t:%a, %d %b %Y %H:%M:%S} GMT", id="IMF-fixdate"),
        pytest.param(lambda t: f"{t:%a, %d %b %Y %H:%M:%S} UTC", id="UTC"),
        pytest.param(lambda t: f"{t:%a, %d %b %Y %H:%M:%S} +0000", id="+0000"),
        pytest.param(lambda t: f"{t:%a, %d %b %Y %H:%M:%S} -0000", id="-0000"),
        pytest.param(lambda t: f"{t:%a, %d %b %Y %H:%M:%S}", id="no-zone"),
        pytest.param(lambda t: f"{t:%A, %d-%b-%y %H:%M:%S} GMT", id="RFC-850"),
        pytest.param(lambda t: f"{t:%a %b} {t.day:>2} {t:%H:%M:%S %Y}", id="asctime"),
        pytest.param(
            lambda t: f"{(t + dt.timedelta(hours=2)):%a, %d %b %Y %H:%M:%S} +0200", id="other-offset"
        ),
    ],
)
def test_retry_after_http_date_in_every_form(render):
    assert 27.0 <= parse_retry_after(_in_30_seconds(render)) <= 30.0


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "soon",
        "-1",
        "1.5",
        "+3",
        "\uff13",  # a digit, but not an ASCII one
        "Sun, 99 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 99999 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994",
        "1 2 3 4 5 6",
        "\x00",
    ],
)
def test_unreadable_retry_after_is_ignored(value):
    assert parse_retry_after(value) is None


def test_no_retry_after_value_crashes():
    rng = random.Random(9110)
    pieces = ["Sun,", "Sunday,", "06", "6", "-", "Nov", "1994", "94", "08:49:37", "8:9", "GMT", "UTC",
              "-0000", "+9999", "EST", "99999999999", "0", ":", " ", "", "\t", "é", "-Nov-"]  # fmt: skip
    seen = {"seconds": 0, "past date": 0, "unreadable": 0}
    for _ in range(5000):
        value = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        wait = parse_retry_after(value)
        if value.strip().isascii() and value.strip().isdigit():
            assert wait == float(value.strip()), value  # delay-seconds, exactly
            seen["seconds"] += 1
        elif wait is None:
            seen["unreadable"] += 1
        else:
            assert wait == 0.0, value  # every date these pieces can spell is in the past
            seen["past date"] += 1
    assert all(seen.values()), seen  # each kind of value came up


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
        (PeerClickTLSError("GET", "/x", "untrusted", may_have_reached_server=False), False, False),
        (PeerClickAPIError(400, "GET", "/report", "bad"), False, False),
        (PeerClickAuthError(401, "GET", "/report", None), False, False),
    ],
)
def test_creates_are_retried_only_when_the_server_cannot_have_acted(exc, safe, unsafe):
    assert is_retryable(exc, replay_safe=True) is safe
    assert is_retryable(exc, replay_safe=False) is unsafe
