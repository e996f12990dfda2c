"""Re-check days already landed, and re-land those whose numbers PeerClick has changed since.

PeerClick attributes a conversion to its click's day, and postbacks arrive hours or days later, so a
landed day keeps changing for a while. One request per day, for the day's first page at full size (every
page carries the whole report's row count and totals), is compared with the totals in that day's
manifest. A day that differs is landed from that page onwards, so a day that fits in one page costs one
request whether it changed or not. Days never landed are left alone: filling holes is what backfills are
for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.hooks._report_query import ReportQuery
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
    """What a lookback found for one day: ``previous`` is None when the day was never landed, and then
    nothing was asked (``first_page`` None)."""

    query: ReportQuery
    partition: str
    first_page: ReportPage | None
    previous: Mapping[str, Any] | None

    @property
    def changed(self) -> bool:
        """Whether the day's row count or totals differ from what was landed."""
        if self.previous is None or self.first_page is None:
            return False
        return (
            self.first_page.total_rows != self.previous.get("row_count")
            or self.first_page.totals != self.previous.get("totals")
            or _asked(self.previous) != _asked_now(self.query)
        )

    def describe(self) -> dict[str, Any]:
        """The day's entry in a result: its partition, day, and previous and new totals."""
        entry: dict[str, Any] = {"partition": self.partition, "day": self.query.start.to_date_string()}
        if self.previous is not None:
            entry["previous_totals"] = self.previous.get("totals")
        if self.first_page is not None:
            entry["totals"] = self.first_page.totals
        return entry


def _asked(manifest: Mapping[str, Any]) -> tuple[Any, ...]:
    query = manifest.get("query") or {}
    return (query.get("columns"), query.get("filters"), query.get("tz"))


def _asked_now(query: ReportQuery) -> tuple[Any, ...]:
    # A day landed with other columns or filters is another report: re-land it as asked now.
    return (list(query.columns), dict(query.filters), query.tz)


def check_day(
    pages: Iterator[ReportPage],
    *,
    query: ReportQuery,
    partition: str,
    previous: Mapping[str, Any] | None,
) -> DayCheck:
    """Take the first of ``pages`` (the day's report, fetched lazily, so this is the one request spent)
    only if the day was landed before (``previous``: its manifest, or its load record); the rest of
    ``pages`` is what a re-landing reads after that first page."""
    first_page = next(pages) if previous is not None else None
    return DayCheck(query=query, partition=partition, first_page=first_page, previous=previous)


def partition_manifest(
    base: ObjectStoragePath, query: ReportQuery, layout: PartitionLayout
) -> Mapping[str, Any] | None:
    """The manifest of the partition ``query`` covers under ``base``, or None if it was never landed."""
    return read_manifest(base / query.group_by / layout.key(query))
