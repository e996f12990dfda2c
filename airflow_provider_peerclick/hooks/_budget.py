"""The rate budget a hook spends: for which account, how fast, and where its places are kept.

Three kinds, chosen by the connection and the deployment's shape (``_deployment``):

- **Shared across hosts** (a Redis ``rate_limit_store``): one window per account in the store, at the
  account's limits, whatever the number of processes, pools or deployments that spend it.
- **Host-local** (no store, every task on one host, e.g. LocalExecutor): the same window, kept in a
  folder on local disk that every process of the host shares.
- **Per process** (no store, tasks on several hosts): each task process throttles itself to the
  per-slot rate times the pool slots it holds, and the PeerClick pools are sized so that slots x rate
  is the account's limit. A process can hold only a whole number of requests per second exactly; a
  fraction bounds just the long-run average, so two processes at 0.5/s could still send two requests
  inside one second. Hence whole rates only.

In both shared kinds the pools bound only how many tasks run at once.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks._connection import (
    ACCOUNT_LIMIT,
    MIN_SHARED_RATE,
    REPORT_LIMIT,
    PeerClickSettings,
)
from airflow_provider_peerclick.hooks._deployment import budget_mode, local_store_url
from airflow_provider_peerclick.hooks._rate_store import store_throttle
from airflow_provider_peerclick.hooks._store_calls import is_local_store, local_store_folder
from airflow_provider_peerclick.hooks._throttle import shared_throttle

REPORT_PATH = "/report"
# A place in the shared store outlives any request (connect + read timeout) by this much.
_LEASE_MARGIN_SECONDS = 30.0


class Pacer(Protocol):
    def slot(self) -> AbstractContextManager[None]: ...
    def aslot(self) -> AbstractAsyncContextManager[None]: ...


@dataclass(frozen=True)
class RateBudget:
    """Requests per second for all of an account's requests and for ``/report``, and where they are kept.

    Build it with :meth:`for_task`; :meth:`pacers` gives the throttles a request must pass, report
    budget first (so waiting for it never sits on a place in the account's window).
    """

    account: tuple[str, str]
    requests_per_second: float
    report_requests_per_second: float
    store: str | None = None
    lease_seconds: float = 0.0
    # How long a store that does not answer is waited for: the connection's retry budget.
    store_patience: float = 0.0

    @classmethod
    def for_task(
        cls,
        settings: PeerClickSettings,
        *,
        pool_slots: int = 1,
        requests_per_second: float | None = None,
        report_requests_per_second: float | None = None,
    ) -> RateBudget:
        """The budget of one task (or trigger, or script) holding ``pool_slots`` slots of its pool.

        The explicit rates override the connection's: per process without a shared budget, for the
        whole account with one.
        """
        store = shared_store(settings)
        if store:
            rate = requests_per_second or settings.account_requests_per_second
            report_rate = report_requests_per_second or settings.account_report_requests_per_second
        else:
            rate = requests_per_second or settings.requests_per_second * pool_slots
            report_rate = report_requests_per_second or settings.report_requests_per_second
        _check_rate("requests_per_second", rate, ACCOUNT_LIMIT, shared=bool(store), pool_slots=pool_slots)
        _check_rate("report_requests_per_second", report_rate, REPORT_LIMIT, shared=bool(store))
        return cls(
            account=settings.account,
            requests_per_second=float(rate),
            report_requests_per_second=float(report_rate),
            store=store,
            lease_seconds=settings.connect_timeout + settings.read_timeout + _LEASE_MARGIN_SECONDS,
            store_patience=settings.max_retry_seconds,
        )

    @property
    def shared(self) -> bool:
        """Whether every process spends one window (host-local or Redis), so pools bound only concurrency."""
        return self.store is not None

    def pacers(self, path: str) -> list[Pacer]:
        everything = self._pacer("all", self.requests_per_second)
        if not is_report_path(path):
            return [everything]
        return [self._pacer("reports", self.report_requests_per_second), everything]

    def describe(self) -> str:
        if self.store is None:
            where = "for this process"
        elif is_local_store(self.store):
            where = f"shared by every process of this host through {local_store_folder(self.store)}"
        else:
            where = "shared by every process through the rate-limit store"
        return (
            f"{self.requests_per_second:g} requests/s, {self.report_requests_per_second:g} of them "
            f"to /report, {where}"
        )

    def _pacer(self, bucket: str, rate: float) -> Pacer:
        if self.store is None:
            key: Hashable = (self.account, bucket)
            return shared_throttle(key, rate)
        host, access_id = self.account
        key = f"peerclick:budget:{host}:{access_id}:{bucket}"
        return store_throttle(self.store, key, rate, lease=self.lease_seconds, patience=self.store_patience)


def shared_store(settings: PeerClickSettings) -> str | None:
    """Where the connection's places are kept for every process: its ``rate_limit_store``, else the
    host-local folder where the deployment runs on one host, else None (each process its own)."""
    if settings.rate_limit_store:
        return settings.rate_limit_store
    return local_store_url() if budget_mode() == "host" else None


def is_report_path(path: str) -> bool:
    """Whether PeerClick counts ``path`` against its report limit too."""
    return path == REPORT_PATH or path.startswith(REPORT_PATH + "/")


def _check_rate(name: str, rate: float, limit: int, *, shared: bool, pool_slots: int = 1) -> None:
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
        raise PeerClickInvalidArgumentError(f"{name}: got {rate!r}; allowed: a number of requests per second")
    if shared:
        if not MIN_SHARED_RATE <= rate <= limit:
            raise PeerClickInvalidArgumentError(
                f"{name}: got {rate:g}; allowed: {MIN_SHARED_RATE:g} to {limit} "
                "(PeerClick's limit per account)"
            )
        return
    per_slot = f" ({pool_slots} pool slots x the per-slot rate)" if pool_slots > 1 else ""
    if rate != int(rate) or not 1 <= rate <= limit:
        allowed = "1" if limit == 1 else f"a whole number from 1 to {limit}"
        raise PeerClickInvalidArgumentError(
            f"{name}: got {rate:g}{per_slot}; allowed: {allowed} (PeerClick's limit per account; a process "
            "holds only whole rates exactly). For a fractional or shared budget, set the connection's "
            "'rate_limit_store' to a Redis URL"
        )
