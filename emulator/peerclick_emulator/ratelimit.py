"""Per-account sliding-window rate limits, with the counters the stats endpoint reports."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

ALL = "all"
REPORTS = "reports"


class SlidingWindow:
    """Timestamps of accepted requests within the last `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._accepted: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self._accepted and self._accepted[0] <= now - self.window:
            self._accepted.popleft()

    def wait_needed(self, now: float) -> float:
        """Seconds until one more request fits; 0 when it fits now."""
        self._prune(now)
        if len(self._accepted) < self.limit:
            return 0.0
        return self._accepted[0] + self.window - now

    def accept(self, now: float) -> int:
        """Record an accepted request; return how many the window now holds."""
        self._accepted.append(now)
        return len(self._accepted)


@dataclass
class BucketStats:
    requests: int = 0
    refused: int = 0
    peak: int = 0


@dataclass
class AccountStats:
    """One account's share of the counters: limits are per account, so peaks only mean much per account."""

    requests: int = 0
    refused: int = 0
    buckets: dict[str, BucketStats] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    accepted: bool
    retry_after: int = 0


@dataclass
class RateLimiter:
    """Windows keyed by (account, bucket); a request must fit every bucket it belongs to."""

    limits: dict[str, int]
    window: float = 1.0
    _windows: dict[tuple[str, str], SlidingWindow] = field(default_factory=dict)
    stats: dict[str, BucketStats] = field(default_factory=dict)
    accounts: dict[str, AccountStats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._windows.clear()
        self.stats = {bucket: BucketStats() for bucket in self.limits}
        self.accounts = {}

    def _account_stats(self, account: str) -> AccountStats:
        if account not in self.accounts:
            self.accounts[account] = AccountStats(buckets={bucket: BucketStats() for bucket in self.limits})
        return self.accounts[account]

    def _window(self, account: str, bucket: str) -> SlidingWindow:
        key = (account, bucket)
        if key not in self._windows:
            self._windows[key] = SlidingWindow(self.limits[bucket], self.window)
        return self._windows[key]

    def admit(self, account: str, buckets: tuple[str, ...], now: float) -> Decision:
        """Accept the request into all its buckets, or refuse it without touching any window."""
        waits = {bucket: self._window(account, bucket).wait_needed(now) for bucket in buckets}
        mine = self._account_stats(account)
        mine.requests += 1
        for bucket in buckets:
            self.stats[bucket].requests += 1
            mine.buckets[bucket].requests += 1
        full = [bucket for bucket, wait in waits.items() if wait > 0]
        if full:
            mine.refused += 1
            for bucket in full:
                self.stats[bucket].refused += 1
                mine.buckets[bucket].refused += 1
            # Retry-After is whole seconds; rounding down could send the client back too early.
            return Decision(False, max(1, math.ceil(max(waits.values()))))
        for bucket in buckets:
            held = self._window(account, bucket).accept(now)
            self.stats[bucket].peak = max(self.stats[bucket].peak, held)
            mine.buckets[bucket].peak = max(mine.buckets[bucket].peak, held)
        return Decision(True)
