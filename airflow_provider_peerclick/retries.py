"""When to try a request again, and how long to wait first (tenacity policy)."""

from __future__ import annotations

import logging
import random
from email.utils import parsedate_to_datetime

import pendulum
import tenacity

from airflow_provider_peerclick.exceptions import (
    PeerClickRateLimitError,
    PeerClickServerError,
    PeerClickTransportError,
)

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - pendulum.now("UTC")).total_seconds())


def is_retryable(exc: BaseException, *, replay_safe: bool) -> bool:
    """Refusals are always retried; failures that may have done the work only when replay is safe."""
    if isinstance(exc, PeerClickRateLimitError):
        return True
    if isinstance(exc, PeerClickServerError):
        return replay_safe and exc.status in RETRYABLE_STATUSES
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
