"""When to try a request again, and how long to wait first (tenacity policy)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, NoReturn

import tenacity

from airflow_provider_peerclick.exceptions import (
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTLSError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks._connection import PeerClickSettings

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
_DELAY_SECONDS = re.compile(r"[0-9]+", re.ASCII)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date (RFC 9110).

    Any date form the email parser reads counts (IMF-fixdate, RFC 850, asctime, any zone spelling); a value
    that is neither is treated as absent, never as an error.
    """
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        # asctime, '-0000' and zone-less dates come back naive; HTTP-dates are always UTC.
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def retry_policy(settings: PeerClickSettings, *, replay_safe: bool) -> dict[str, Any]:
    """The arguments of ``tenacity.Retrying`` (tasks) and ``tenacity.AsyncRetrying`` (triggers) alike."""
    return {
        "retry": tenacity.retry_if_exception(partial(is_retryable, replay_safe=replay_safe)),
        "wait": WaitRetryAfterOrBackoff(),
        "stop": tenacity.stop_after_attempt(settings.max_attempts)
        | tenacity.stop_before_delay(settings.max_retry_seconds),
        "before_sleep": log_retry,
        "retry_error_callback": partial(give_up, budget=settings.max_retry_seconds),
        "reraise": True,
    }


def is_retryable(exc: BaseException, *, replay_safe: bool) -> bool:
    """Refusals are always retried; failures that may have done the work only when replay is safe."""
    if isinstance(exc, PeerClickRateLimitError):
        return True
    if isinstance(exc, PeerClickServerError):
        return replay_safe and exc.status in RETRYABLE_STATUSES
    if isinstance(exc, PeerClickTLSError):
        return False
    if isinstance(exc, PeerClickTransportError):
        return replay_safe or not exc.may_have_reached_server
    return False


class WaitRetryAfterOrBackoff(tenacity.wait.wait_base):
    """Obey ``Retry-After`` plus a little jitter; otherwise exponential backoff with full jitter."""

    def __init__(self, *, initial: float = 0.5, maximum: float = 60.0, jitter: float = 0.5) -> None:
        self.backoff = tenacity.wait_random_exponential(multiplier=initial, max=maximum)
        self.jitter = jitter

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        told = exc.retry_after if isinstance(exc, PeerClickRateLimitError) else None
        if told is not None:
            return told + random.uniform(0, self.jitter)
        return float(self.backoff(retry_state))


def log_retry(retry_state: tenacity.RetryCallState) -> None:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.warning("%s; attempt %d failed, retrying in %.1f s", exc, retry_state.attempt_number, wait)


def give_up(retry_state: tenacity.RetryCallState, *, budget: float) -> NoReturn:
    """Raise the last error, its message saying why no further attempt is made."""
    assert retry_state.outcome is not None
    exc = retry_state.outcome.exception()
    assert exc is not None  # only failures are retried, so only a failure can run out of retries
    attempts = retry_state.attempt_number
    elapsed = retry_state.seconds_since_start or 0.0
    why = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f} s"
    told = exc.retry_after if isinstance(exc, PeerClickRateLimitError) else None
    if told is not None and elapsed + told >= budget:
        left = "" if told >= budget else f", of which {max(0.0, budget - elapsed):.1f} s were left"
        why = (
            f"PeerClick asked to wait {told:g} s (Retry-After), beyond the retry budget of {budget:g} s "
            f"(max_retry_seconds){left}; {why}"
        )
    # The same error, fields and type, so callers keep catching what they catch; only the text grows.
    exc.args = (f"{exc}; {why}",)
    raise exc
