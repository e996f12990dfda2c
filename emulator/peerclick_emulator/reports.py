"""Answering GET /report: aggregate facts for a query, sort them, cache the result, serve pages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

from peerclick_emulator.catalog import COUNTRIES, Catalog
from peerclick_emulator.metrics import metric_mapping, metric_values
from peerclick_emulator.reportdata import (
    DAY,
    ZERO,
    Counts,
    FactSource,
    HourSlot,
    add,
    hour_slots,
)
from peerclick_emulator.reportquery import ReportQuery

Dims = tuple[Any, ...]

_DIMENSION_MAPPINGS = {
    "campaignId": ("Campaign ID", "integer"),
    "campaignName": ("Campaign", "string"),
    "offerId": ("Offer ID", "integer"),
    "offerName": ("Offer", "string"),
    "trafficSourceId": ("Traffic source ID", "integer"),
    "trafficSourceName": ("Traffic source", "string"),
    "countryCode": ("Country code", "string"),
    "countryName": ("Country", "string"),
    "day": ("Day", "date"),
    "hourOfDay": ("Hour of day", "integer"),
}


@dataclass(frozen=True)
class Row:
    dims: Dims
    counts: Counts


@dataclass(frozen=True)
class Aggregate:
    rows: list[Row]
    totals: Counts


class ReportService:
    """Thread-safe: pages are computed in worker threads so the event loop keeps answering."""

    def __init__(
        self,
        catalog: Catalog,
        cache_size: int,
        omit_columns: tuple[str, ...] = (),
        late_days: int = 0,
    ) -> None:
        self.catalog = catalog
        self.omit_columns = frozenset(omit_columns)
        self.facts = FactSource(catalog, late_days)
        self._cache: OrderedDict[Hashable, Aggregate] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def page(self, query: ReportQuery, now: float | None = None) -> dict[str, Any]:
        """One page of the report as seen at ``now`` (epoch seconds; only late conversions depend on it)."""
        today = int(now // DAY) if self.facts.late_days and now is not None else None
        aggregate = self._aggregate(query, today)
        page = aggregate.rows[query.offset : query.offset + query.limit]
        keys = query.dimension_keys
        columns = tuple(name for name in query.columns if name not in self.omit_columns)
        return {
            "description": "Success",
            "offset": query.offset,
            "limit": query.limit,
            "totalRows": len(aggregate.rows),
            "truncated": False,
            "messages": [],
            "totals": metric_values(aggregate.totals, columns),
            "rows": [
                dict(zip(keys, row.dims, strict=True)) | metric_values(row.counts, columns) for row in page
            ],
            "columnMappings": [
                {"key": key, "label": _DIMENSION_MAPPINGS[key][0], "type": _DIMENSION_MAPPINGS[key][1]}
                for key in keys
            ]
            + [metric_mapping(name) for name in columns],
        }

    def _aggregate(self, query: ReportQuery, today: int | None) -> Aggregate:
        key = (*query.data_key(), today)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        aggregate = self._compute(query, today)
        with self._lock:
            self._cache[key] = aggregate
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return aggregate

    def _compute(self, query: ReportQuery, today: int | None) -> Aggregate:
        slots = [
            slot for slot in hour_slots(query.start, query.end, ZoneInfo(query.tz)) if _slot_kept(slot, query)
        ]
        campaigns = [c for c in range(1, self.catalog.campaign_count + 1) if self._campaign_kept(c, query)]
        grouped = self._group(query.group_by, campaigns, slots, today)
        rows = [Row(dims, counts) for dims, counts in grouped.items() if counts[0]]
        _sort(rows, query)
        return Aggregate(rows, reduce(add, (row.counts for row in rows), ZERO))

    def _group(
        self, group_by: str, campaigns: list[int], slots: list[HourSlot], today: int | None
    ) -> dict[Dims, Counts]:
        if group_by in ("day", "hour-of-day"):
            per_slot = self.facts.by_slot(campaigns, slots, today)
            slot_dims: Callable[[HourSlot], Dims] = (
                (lambda s: (s.day,)) if group_by == "day" else (lambda s: (s.hour_of_day,))
            )
            return _roll_up(zip(map(slot_dims, slots), per_slot, strict=True))
        per_campaign = self.facts.by_campaign(campaigns, slots, today)
        campaign_dims = self._campaign_dims(group_by)
        return _roll_up((campaign_dims(c), counts) for c, counts in per_campaign.items())

    def _campaign_dims(self, group_by: str) -> Callable[[int], Dims]:
        cat = self.catalog
        dims: dict[str, Callable[[int], Dims]] = {
            "campaign": lambda c: (c, cat.campaign_name(c)),
            "offer": lambda c: (cat.campaign_offer[c], cat.offer_name(cat.campaign_offer[c])),
            "traffic-source": lambda c: (cat.campaign_source[c], cat.source_name(cat.campaign_source[c])),
            "country": lambda c: COUNTRIES[cat.campaign_country[c]],
        }
        return dims[group_by]

    def _campaign_kept(self, campaign: int, query: ReportQuery) -> bool:
        cat = self.catalog
        attributes = {
            "campaign": campaign,
            "offer": cat.campaign_offer[campaign],
            "traffic-source": cat.campaign_source[campaign],
            "country": COUNTRIES[cat.campaign_country[campaign]][0],
        }
        return all(attributes[name] == value for name, value in query.filters if name in attributes)


def _slot_kept(slot: HourSlot, query: ReportQuery) -> bool:
    attributes = {"day": slot.day, "hour-of-day": slot.hour_of_day}
    return all(attributes[name] == value for name, value in query.filters if name in attributes)


def _roll_up(pairs: Any) -> dict[Dims, Counts]:
    grouped: dict[Dims, Counts] = {}
    for dims, counts in pairs:
        grouped[dims] = add(grouped.get(dims, ZERO), counts)
    return grouped


def _sort(rows: list[Row], query: ReportQuery) -> None:
    """Total order: the requested key, ties broken by the row's identifying dimension (always ascending)."""
    rows.sort(key=lambda row: row.dims[0])
    if query.sort is None:
        if query.descending:
            rows.reverse()
        return
    # list.sort is stable even with reverse=True, so equal values keep the identifying order.
    rows.sort(key=_sort_key(query.sort, query.dimension_keys), reverse=query.descending)


def _sort_key(name: str, dimension_keys: tuple[str, ...]) -> Callable[[Row], Any]:
    if name in dimension_keys:
        index = dimension_keys.index(name)
        return lambda row: row.dims[index]
    return lambda row: metric_values(row.counts, (name,))[name]
