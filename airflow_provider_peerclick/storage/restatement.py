"""Re-check days already landed, and re-land those whose numbers PeerClick has changed since.

PeerClick attributes a conversion to its click's day, and postbacks arrive hours or days later, so a
landed day keeps changing for a while. One summary request per day (a one-row page carries the whole
report's row count and totals) is compared with the totals in that day's manifest; only days that differ
are fetched again. Days never landed are left alone: filling holes is what backfills are for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks.peerclick import ReportQuery, ReportSummary
from airflow_provider_peerclick.storage.manifest import read_manifest
from airflow_provider_peerclick.storage.partitions import PartitionLayout


def lookback_days(query: ReportQuery, days: int) -> Iterator[ReportQuery]:
    """The ``days`` whole days of ``query.tz`` before the window's first day, oldest first."""
    first_day = query.start.start_of("day")
    for back in range(days, 0, -1):
        start = first_day.subtract(days=back)
        yield dataclasses.replace(query, start=start, end=start.add(days=1))


@dataclass(frozen=True)
class DayCheck:
    """What a lookback found for one day: ``previous`` is None when the day was never landed."""

    query: ReportQuery
    partition: str
    summary: ReportSummary | None
    previous: Mapping[str, Any] | None

    @property
    def changed(self) -> bool:
        if self.previous is None or self.summary is None:
            return False
        return (
            self.summary.total_rows != self.previous.get("row_count")
            or self.summary.totals != self.previous.get("totals")
            or _asked(self.previous) != _asked_now(self.query)
        )

    def describe(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"partition": self.partition, "day": self.query.start.to_date_string()}
        if self.previous is not None:
            entry["previous_totals"] = self.previous.get("totals")
        if self.summary is not None:
            entry["totals"] = self.summary.totals
        return entry


def _asked(manifest: Mapping[str, Any]) -> tuple[Any, ...]:
    query = manifest.get("query") or {}
    return (query.get("columns"), query.get("filters"), query.get("tz"))


def _asked_now(query: ReportQuery) -> tuple[Any, ...]:
    # A day landed with other columns or filters is another report: re-land it as asked now.
    return (list(query.columns), dict(query.filters), query.tz)


def check_day(
    summarize: Callable[[ReportQuery], ReportSummary],
    *,
    base: ObjectStoragePath,
    query: ReportQuery,
    layout: PartitionLayout,
) -> DayCheck:
    """Read the day's manifest, and only if there is one spend a summary request on the day."""
    partition = layout.key(query)
    previous = read_manifest(base / query.group_by / partition)
    summary = summarize(query) if previous is not None else None
    return DayCheck(query=query, partition=partition, summary=summary, previous=previous)
