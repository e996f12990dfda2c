"""Parsing and validation of GET /report query parameters; every problem becomes a 400 description."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerclick_emulator.errors import ApiError
from peerclick_emulator.metrics import METRICS

DEFAULT_LIMIT = 100
MAX_LIMIT = 10000
INCLUDE_VALUES = ("ACTIVE", "ARCHIVED", "ALL")
DIRECTIONS = ("ASC", "DESC")

# groupBy -> the dimension keys of its rows; the first key identifies a row.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "campaign": ("campaignId", "campaignName"),
    "offer": ("offerId", "offerName"),
    "traffic-source": ("trafficSourceId", "trafficSourceName"),
    "country": ("countryCode", "countryName"),
    "day": ("day",),
    "hour-of-day": ("hourOfDay",),
}
_FILTER_PARAM = re.compile(r"filter(\d+)")
# A '+' in an unencoded query string arrives as a space; accept "…T00:00:00 02:00" as "+02:00".
_SPACE_OFFSET = re.compile(r"(T\d{2}(?::\d{2}){0,2}) (\d{2}:?\d{2})$")

FilterValue = int | str


class ReportQueryError(ApiError):
    """The query cannot be answered as asked."""

    def __init__(self, description: str) -> None:
        super().__init__(400, description)


@dataclass(frozen=True)
class ReportQuery:
    start: int  # epoch seconds, inclusive
    end: int  # epoch seconds, exclusive
    tz: str
    group_by: str
    columns: tuple[str, ...]
    sort: str | None
    descending: bool
    limit: int
    offset: int
    include: str
    filters: tuple[tuple[str, FilterValue], ...]

    @property
    def dimension_keys(self) -> tuple[str, ...]:
        return GROUPINGS[self.group_by]

    def data_key(self) -> tuple[object, ...]:
        """What determines the sorted rows, i.e. everything but paging and column choice."""
        return (self.start, self.end, self.tz, self.group_by, self.filters, self.sort, self.descending)


def parse_report_query(params: Mapping[str, str]) -> ReportQuery:
    tz = _time_zone(params.get("tz") or "UTC")
    start = _instant(params, "from", tz)
    end = _instant(params, "to", tz)
    if start >= end:
        raise ReportQueryError("'from' must be before 'to' ('to' is exclusive)")
    group_by = _choice(params, "groupBy", tuple(GROUPINGS), None)
    sort = params.get("sort") or None
    allowed_sort = GROUPINGS[group_by] + METRICS
    if sort is not None and sort not in allowed_sort:
        raise ReportQueryError(f"Unknown sort {sort!r}; allowed: {', '.join(allowed_sort)}")
    return ReportQuery(
        start=start,
        end=end,
        tz=tz.key,
        group_by=group_by,
        columns=_columns(params.get("columns"), GROUPINGS[group_by]),
        sort=sort,
        descending=_choice(params, "direction", DIRECTIONS, "ASC", upper=True) == "DESC",
        limit=_integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer(params, "offset", 0, 0, None),
        include=_choice(params, "include", INCLUDE_VALUES, "ACTIVE", upper=True),
        filters=_filters(params),
    )


def _time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportQueryError(
            f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Warsaw'"
        ) from None


def _instant(params: Mapping[str, str], name: str, tz: ZoneInfo) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        raise ReportQueryError(f"'{name}' is required")
    try:
        value = datetime.fromisoformat(_SPACE_OFFSET.sub(r"\1+\2", raw))
    except ValueError:
        raise ReportQueryError(
            f"'{name}' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (optional Z or offset), got {raw!r}"
        ) from None
    if value.minute or value.second or value.microsecond:
        raise ReportQueryError(f"'{name}' must be a whole hour (minutes and seconds 00), got {raw!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return int(value.timestamp())


def _choice(
    params: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str | None, upper: bool = False
) -> str:
    raw = params.get(name) or default
    if raw is None:
        raise ReportQueryError(f"'{name}' is required; allowed: {', '.join(allowed)}")
    value = raw.upper() if upper else raw
    if value not in allowed:
        raise ReportQueryError(f"Unknown {name} {raw!r}; allowed: {', '.join(allowed)}")
    return value


def _integer(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ReportQueryError(f"'{name}' must be an integer, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ReportQueryError(f"'{name}' must be {bounds}, got {value}")
    return value


def _columns(raw: str | None, dimension_keys: tuple[str, ...]) -> tuple[str, ...]:
    if not raw:
        return METRICS
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in METRICS and name not in dimension_keys]
    if unknown:
        raise ReportQueryError(f"Unknown columns {unknown}; allowed: {', '.join(METRICS)}")
    chosen = set(names)
    # Dimension keys are always returned, so naming them in `columns` is harmless.
    return tuple(metric for metric in METRICS if metric in chosen)


def _filters(params: Mapping[str, str]) -> tuple[tuple[str, FilterValue], ...]:
    filters = []
    for name, group_by in params.items():
        match = _FILTER_PARAM.fullmatch(name)
        if not match:
            continue
        if group_by not in GROUPINGS:
            raise ReportQueryError(f"Unknown {name} {group_by!r}; allowed: {', '.join(GROUPINGS)}")
        raw = params.get(f"{name}Value")
        if not raw:
            raise ReportQueryError(f"'{name}Value' is required with '{name}'")
        filters.append((group_by, _filter_value(group_by, raw, name)))
    return tuple(sorted(filters, key=repr))


def _filter_value(group_by: str, raw: str, name: str) -> FilterValue:
    try:
        if group_by == "country":
            return raw.strip().upper()
        if group_by == "day":
            return date.fromisoformat(raw.strip()).isoformat()
        value = int(raw)
    except ValueError:
        raise ReportQueryError(f"'{name}Value' {raw!r} is not a valid {group_by}") from None
    if group_by == "hour-of-day" and not 0 <= value <= 23:
        raise ReportQueryError(f"'{name}Value' must be an hour of day 0-23, got {value}")
    return value
