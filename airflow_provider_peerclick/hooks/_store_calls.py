"""One command to a rate-limit store, Redis or the host-local folder, with its outages waited out.

Redis restarts and fails over; a host's folder can be briefly unreadable. A budget whose store does not
answer cannot give a request its place, and no request is ever sent without one, so the command is tried
again, with backoff, for as long as the connection's retry budget (``max_retry_seconds``) allows: a blip
costs a wait, not a night's data. Only after that does it fail, with an error that names the store, how
long it was waited for, and what to check.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from airflow_provider_peerclick.exceptions import PeerClickStoreUnavailableError
from airflow_provider_peerclick.hooks._connection import LOCAL_STORE_SCHEME

log = logging.getLogger(__name__)

T = TypeVar("T")

_FIRST_DELAY = 0.2
_MAX_DELAY = 5.0


class Outage:
    """How long one command has been waiting for the store at ``store``: the delays before each try, and
    the error once ``patience`` seconds are spent."""

    def __init__(self, what: str, store: str, patience: float) -> None:
        self.what = what
        self.store = store
        self.patience = patience
        self.started: float | None = None
        self.failures = 0

    def delay(self, exc: Exception) -> float:
        """Seconds to wait before the next try after ``exc``; raises once the patience is spent."""
        now = time.monotonic()
        if self.started is None:
            self.started = now
            log.warning(
                "The %s did not answer (%s) while %s; trying again for up to %g s (max_retry_seconds)",
                store_name(self.store),
                type(exc).__name__,
                self.what,
                self.patience,
            )
        self.failures += 1
        delay = min(_MAX_DELAY, _FIRST_DELAY * 2 ** (self.failures - 1)) * random.uniform(0.5, 1.0)
        waited = now - self.started
        if waited >= self.patience:
            raise unanswered(self.what, exc, self.store, waited=waited, patience=self.patience)
        return min(delay, self.patience - waited)  # the last try comes when the budget ends

    def over(self) -> bool:
        """Whether the store answered after failing (logged); the caller may have to settle first."""
        if self.started is None:
            return False
        log.warning(
            "The %s answered again after %.1f s", store_name(self.store), time.monotonic() - self.started
        )
        return True


def store_call(
    what: str,
    command: Callable[..., T],
    *args: Any,
    store: str,
    patience: float = 0.0,
    settle: float = 0.0,
    **kwargs: Any,
) -> T:
    """Run one command on the store at URL ``store``, trying again for up to ``patience`` seconds while it
    does not answer. ``settle``: seconds to wait once it answers again after an outage (a store back from a
    restart may have lost the places of the requests answered just before it)."""
    outage = Outage(what, store, patience)
    while True:
        try:
            result = command(*args, **kwargs)
        except Exception as exc:  # redis raises its own hierarchy; none of it may pass unexplained
            time.sleep(outage.delay(exc))
            continue
        if outage.over():
            time.sleep(settle)
        return result


async def astore_call(
    what: str,
    command: Callable[..., Awaitable[T]],
    *args: Any,
    store: str,
    patience: float = 0.0,
    settle: float = 0.0,
    **kwargs: Any,
) -> T:
    """``store_call`` for a coroutine command: the waits are ``asyncio.sleep``."""
    outage = Outage(what, store, patience)
    while True:
        try:
            result = await command(*args, **kwargs)
        except Exception as exc:
            await asyncio.sleep(outage.delay(exc))
            continue
        if outage.over():
            await asyncio.sleep(settle)
        return result


def unanswered(
    what: str, exc: Exception, store: str, *, waited: float, patience: float
) -> PeerClickStoreUnavailableError:
    if is_local_store(store):
        check = (
            "that every Airflow process of this host can write that folder ([peerclick] "
            "local_budget_dir, or the connection's 'rate_limit_store')"
        )
    else:
        check = (
            "that the connection's 'rate_limit_store' is up and reachable from every worker and the triggerer"
        )
    spent = (
        f" for {waited:.1f} s, the connection's retry budget (max_retry_seconds={patience:g}),"
        if waited
        else ""
    )
    return PeerClickStoreUnavailableError(
        f"The {store_name(store)} did not answer ({type(exc).__name__}){spent} while {what}. Check {check}."
    )


def store_name(store: str) -> str:
    if is_local_store(store):
        return f"host-local rate-limit store in {local_store_folder(store)}"
    return "shared rate-limit store"


def is_local_store(url: str) -> bool:
    return urlsplit(url).scheme == LOCAL_STORE_SCHEME


def local_store_folder(url: str) -> str:
    return unquote(urlsplit(url).path)
