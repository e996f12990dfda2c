"""Which partitions a report window lands as, and what each partition folder is called.

A partition is one account day (midnight to midnight in the report's time zone), or one hour where the
window covers only part of a day (an hourly schedule). Partitions never overlap, so a reader may sum any
set of them; a window of N whole days is N partitions, whatever the schedule that asked for it.
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pendulum

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks._report_query import ReportQuery

DEFAULT_DAY_TEMPLATE = "date={date}"
# The UTC offset keeps the hour a clock change repeats apart: 02:00+0200 and 02:00+0100 in October.
DEFAULT_HOUR_TEMPLATE = "date={date}/hour={hour}{offset}"
DAY_FIELDS = ("date", "year", "month", "day")
HOUR_FIELDS = (*DAY_FIELDS, "hour", "offset", "utc_date", "utc_hour")

# Samples that any useful template must tell apart: days that differ only in day, month or year.
_SAMPLE_DAYS = ((2026, 11, 24), (2026, 11, 25), (2026, 12, 24), (2027, 11, 24))
_DST_SAMPLE_TZ = "Europe/Berlin"


def is_whole_day(query: ReportQuery) -> bool:
    """True when the query covers exactly one day of its time zone, midnight to midnight."""
    midnight = query.start.start_of("day")
    return _same_instant(query.start, midnight) and _same_instant(query.end, midnight.add(days=1))


def _same_instant(left: pendulum.DateTime, right: pendulum.DateTime) -> bool:
    # Aware datetimes with one tzinfo compare by wall time, ignoring fold; instants never do.
    return left.timestamp() == right.timestamp()


def split_window(query: ReportQuery, *, hours: bool = False) -> Iterator[ReportQuery]:
    """
    The window as partitions, in time order: whole days of ``query.tz`` as day queries, the hours of any
    partial day before or after them as hour queries (every hour, with ``hours``). Each gets its own
    report request, so each partition reconciles with totals of its own (docs/guide/landing-files.md says
    why not one report split while streaming).
    """
    end = query.end.timestamp()
    cursor = query.start
    while cursor.timestamp() < end:
        next_day = cursor.start_of("day").add(days=1)
        if not hours and _same_instant(cursor, cursor.start_of("day")) and next_day.timestamp() <= end:
            following = next_day
        else:
            # pendulum adds hours in absolute time, so a 25-hour day yields 25 distinct hours.
            following = cursor.add(hours=1).in_timezone(query.tz)
        yield dataclasses.replace(query, start=cursor, end=following)
        cursor = following


def _values(start: pendulum.DateTime) -> dict[str, str]:
    utc = start.in_timezone("UTC")
    return {
        "date": start.to_date_string(),
        "year": f"{start.year:04d}",
        "month": f"{start.month:02d}",
        "day": f"{start.day:02d}",
        "hour": f"{start.hour:02d}",
        "offset": start.strftime("%z"),
        "utc_date": utc.to_date_string(),
        "utc_hour": f"{utc.hour:02d}",
    }


def _template_error(
    name: str, template: Any, allowed: tuple[str, ...], reason: str
) -> PeerClickInvalidArgumentError:
    fields = ", ".join("{" + field + "}" for field in allowed)
    return PeerClickInvalidArgumentError(
        f"{name}: got {template!r}; {reason}; allowed fields: {fields}, "
        f"e.g. {DEFAULT_DAY_TEMPLATE!r} or 'year={{year}}/month={{month}}/day={{day}}'"
    )


def _check_template(name: str, template: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(template, str) or not template.strip():
        raise _template_error(name, template, allowed, "a relative folder path with fields is needed")
    _check_template_text(name, template, allowed)
    return template


# Every report task of every DAG file checks its templates at each parse, mostly the same few.
@functools.lru_cache(maxsize=64)
def _check_template_text(name: str, template: str, allowed: tuple[str, ...]) -> None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise _template_error(name, template, allowed, str(exc)) from None
    unknown = sorted({field for field in fields if field not in allowed})
    if unknown:
        raise _template_error(name, template, allowed, f"unknown fields {unknown}")
    sample = template.format(**_values(pendulum.datetime(2026, 11, 24, tz="UTC")))
    parts = sample.split("/")
    if sample.startswith("/") or any(part in ("", ".", "..") for part in parts):
        reason = "the folder must be relative, without empty, '.' or '..' parts"
        raise _template_error(name, template, allowed, reason)


class PartitionLayout:
    """
    Folder names of partitions below ``{destination}/{group_by}``: Hive-style ``date=YYYY-MM-DD`` (and
    ``/hour=HH``) by default, or templates matching an existing lake, e.g. ``{year}/{month}/{day}``.
    """

    def __init__(self, day_template: str = DEFAULT_DAY_TEMPLATE, hour_template: str = DEFAULT_HOUR_TEMPLATE):
        self.day_template = _check_template("partition_template", day_template, DAY_FIELDS)
        self.hour_template = _check_template("hour_partition_template", hour_template, HOUR_FIELDS)
        if (day_template, hour_template) != (DEFAULT_DAY_TEMPLATE, DEFAULT_HOUR_TEMPLATE):
            # Every report task of every DAG file builds a layout at each parse; the defaults are known
            # distinct (a test checks them), so only a user's templates cost the sample dates.
            check_distinct(self.day_template, self.hour_template)

    def key(self, query: ReportQuery) -> str:
        """The folder of the partition ``query`` (one piece of ``split_window``) lands in."""
        template = self.day_template if is_whole_day(query) else self.hour_template
        return posixpath.normpath(template.format(**_values(query.start)))


@functools.lru_cache(maxsize=64)
def check_distinct(day_template: str, hour_template: str) -> None:
    """Raise unless the templates give every sample day and hour (a repeated autumn hour included) a
    folder of its own."""
    days = [pendulum.datetime(*day, tz="UTC") for day in _SAMPLE_DAYS]
    names = {day_template.format(**_values(day)) for day in days}
    if len(names) < len(days):
        raise PeerClickInvalidArgumentError(
            f"partition_template: got {day_template!r}; it gives different days the same folder, "
            "so one day would replace another: use {date}, or {year}, {month} and {day}"
        )
    # The last two: 02:00 in Berlin, twice, as clocks go back on 2026-10-25.
    repeated = pendulum.datetime(2026, 10, 25, tz="UTC")
    hours = [*days, days[0].add(hours=1), repeated, repeated.add(hours=1)]
    names = {hour_template.format(**_values(hour.in_timezone(_DST_SAMPLE_TZ))) for hour in hours}
    if len(names) < len(hours):
        raise PeerClickInvalidArgumentError(
            f"hour_partition_template: got {hour_template!r}; it gives different hours the same "
            "folder (the hour clocks repeat in autumn included): use {date} (or {year}, {month} and "
            "{day}), {hour} and {offset}, or {utc_date} and {utc_hour}; {offset} or {utc_hour} tells "
            "the repeated hour apart"
        )
