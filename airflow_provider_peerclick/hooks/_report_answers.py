"""What one ``GET /report`` answers, as the hook hands it on: used when tasks run, not when DAG files
parse (``hooks.peerclick`` re-exports both)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportPage:
    """One page of ``GET /report``: its rows plus the totals and row count of the whole report."""

    offset: int
    total_rows: int
    totals: dict[str, Any]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ReportSummary:
    total_rows: int
    totals: dict[str, Any]
