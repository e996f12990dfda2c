"""Settings of one emulator instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCESS_ID = "demo-id"
DEFAULT_ACCESS_KEY = "demo-key"


def _default_accounts() -> dict[str, str]:
    return {DEFAULT_ACCESS_ID: DEFAULT_ACCESS_KEY}


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the CLI can set; `accounts` maps access key ID -> access key."""

    host: str = "127.0.0.1"
    port: int = 8080
    accounts: dict[str, str] = field(default_factory=_default_accounts)
    token_lifetime: int = 86400
    seed: int = 42
    campaigns: int = 20
    rate_limit: int = 3
    report_rate_limit: int = 1
    rate_window: float = 1.0
    report_cache_size: int = 4
    # Metrics left out of every report's rows, totals and column mappings, even when asked for: a server
    # whose column set differs from the documented one (the real API's exact set is not public).
    omit_columns: tuple[str, ...] = ()
    # Days over which a day's late conversions (and their revenue) keep arriving; 0: all at once.
    late_conversion_days: int = 0
    port_file: Path | None = None
    verbose: bool = False
    request_log: Path | None = None

    def __post_init__(self) -> None:
        if not self.accounts:
            raise ValueError("at least one account is needed")
        if self.campaigns < 1:
            raise ValueError("campaigns must be >= 1")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be >= 1")
        if self.rate_limit < 1 or self.report_rate_limit < 1:
            raise ValueError("rate limits must be >= 1")
        if self.rate_window <= 0:
            raise ValueError("rate_window must be > 0")
        if self.late_conversion_days < 0:
            raise ValueError("late_conversion_days must be >= 0")
        from peerclick_emulator.metrics import METRICS

        unknown = sorted(set(self.omit_columns) - set(METRICS))
        if unknown:
            raise ValueError(f"omit_columns: unknown metrics {unknown}; known: {', '.join(METRICS)}")
