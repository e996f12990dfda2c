"""All mutable state of one emulator: tokens, rate-limit windows, faults, entities and counters."""

from __future__ import annotations

import json
import time
from typing import Any

from peerclick_emulator.catalog import Catalog
from peerclick_emulator.clock import Clock
from peerclick_emulator.config import EmulatorConfig
from peerclick_emulator.entities import AccountEntities
from peerclick_emulator.faults import FaultQueue
from peerclick_emulator.ratelimit import ALL, REPORTS, RateLimiter
from peerclick_emulator.reports import ReportService
from peerclick_emulator.tokens import TokenStore


class EmulatorState:
    """Mutated only on the event loop, so no locks (reports are computed off-loop, but read-only)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.catalog = Catalog(config.seed, config.campaigns)
        self.reports = ReportService(
            self.catalog, config.report_cache_size, config.omit_columns, config.late_conversion_days
        )
        self.clock = Clock()
        self.tokens = TokenStore()
        self.limiter = RateLimiter(
            {ALL: config.rate_limit, REPORTS: config.report_rate_limit}, config.rate_window
        )
        self.faults = FaultQueue()
        self.requests = 0
        self.refused = 0
        self.entities: dict[str, AccountEntities] = {}
        self.reset()

    def log_request(
        self, account: str, method: str, path: str, accepted: bool, agent: str = "", query: str = ""
    ) -> None:
        """One line in the request log, if any: wall-clock time, to line up with clients' own logs, the
        client's User-Agent, to tell apart clients that share an account, and the query string, to tell
        what a request was for."""
        if self.config.request_log is None:
            return
        line = {
            "time": time.time(),
            "account": account,
            "method": method,
            "path": path,
            "accepted": accepted,
            "agent": agent,
            "query": query,
        }
        with self.config.request_log.open("a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")

    def reset(self) -> None:
        """Back to the state right after start-up (the report cache survives: its data never changes)."""
        self.tokens.reset()
        self.limiter.reset()
        self.faults.reset()
        self.clock.reset()
        self.requests = 0
        self.refused = 0
        self.entities = {account: AccountEntities.seeded(self.catalog) for account in self.config.accounts}

    def _account_stats(self, account: str) -> dict[str, Any]:
        # Keyed like the limits: an access key ID, or `client:ADDRESS` for requests tied to no account.
        counted = self.limiter.accounts[account]
        return {
            "requests": counted.requests,
            "refused": counted.refused,
            "tokens_issued": self.tokens.issued_by_account.get(account, 0),
            "peak_per_second": {name: bucket.peak for name, bucket in counted.buckets.items()},
            "buckets": {
                name: {"requests": b.requests, "refused": b.refused} for name, b in counted.buckets.items()
            },
        }

    def stats(self) -> dict[str, Any]:
        buckets = self.limiter.stats
        return {
            "requests": self.requests,
            "refused": self.refused,
            "tokens_issued": self.tokens.issued,
            "peak_per_second": {name: bucket.peak for name, bucket in buckets.items()},
            "buckets": {name: {"requests": b.requests, "refused": b.refused} for name, b in buckets.items()},
            "accounts": {account: self._account_stats(account) for account in self.limiter.accounts},
            "faults_served": self.faults.served,
            "entities": {
                "campaigns": sum(len(e.campaigns) for e in self.entities.values()),
                "offers": sum(len(e.offers) for e in self.entities.values()),
            },
        }
