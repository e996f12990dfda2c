"""The report a task asks PeerClick for: cheap to import, as DAG files parse the report tasks' arguments
into a ``ReportQuery`` (``hooks.peerclick`` re-exports it, and ``_report_answers``'s types)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pendulum

from airflow_provider_peerclick.hooks import _arguments as arguments


@dataclass(frozen=True)
class ReportQuery:
    """
    A checked ``GET /report`` query: what the report tasks, their triggers and storage pass along.

    Build it with :meth:`build` (every argument checked, naive datetimes read in ``tz``); ``to_json()`` is
    its JSON form (for triggers, XCom and manifests) and :meth:`from_json` reads that back to an equal
    query. ``params()`` is what goes on the wire, without paging.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    group_by: str
    tz: str
    columns: tuple[str, ...] = arguments.COLUMNS
    filters: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def build(
        cls,
        *,
        start: Any,
        end: Any,
        group_by: str,
        columns: Iterable[str] | None = None,
        tz: str | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> ReportQuery:
        zone = arguments.time_zone(tz)
        begin, finish = arguments.whole_hour(start, "start", zone), arguments.whole_hour(end, "end", zone)
        # By instant: aware datetimes of one zone compare by wall time, and the hour a clock change
        # repeats would then end before it starts.
        if begin.timestamp() >= finish.timestamp():
            raise arguments.invalid("end", end, f"a time after start ({begin.isoformat()}); end is exclusive")
        return cls(
            start=begin,
            end=finish,
            group_by=arguments.group_by_name(group_by),
            tz=zone,
            columns=arguments.column_names(columns),
            filters=arguments.report_filters(filters),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportQuery:
        """The query ``to_json()`` gave (or any mapping of :meth:`build`'s arguments), checked again."""
        return cls.build(**data)

    def to_json(self) -> dict[str, Any]:
        """``group_by``, ``start``, ``end`` (ISO datetimes with their UTC offsets), ``tz``, ``columns`` and
        ``filters``: JSON only."""
        return {
            "group_by": self.group_by,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": self.tz,
            "columns": list(self.columns),
            "filters": dict(self.filters),
        }

    def params(self) -> dict[str, str]:
        params = {
            "from": wire_time(self.start),
            "to": wire_time(self.end),
            "tz": self.tz,
            "groupBy": self.group_by,
            "columns": ",".join(self.columns),
        }
        for number, (name, value) in enumerate(self.filters, start=1):
            params[f"filter{number}"] = name
            params[f"filter{number}Value"] = value
        return params


def wire_time(moment: pendulum.DateTime) -> str:
    """
    The wall time PeerClick reads in ``tz``; with its UTC offset only when the wall time alone is
    ambiguous (the hour a clock change repeats). Offsets are accepted by the Voluum-style API as far as is
    known, but every other query keeps the documented plain form rather than bet on it.
    """
    if moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset():
        return moment.isoformat()
    return moment.strftime("%Y-%m-%dT%H:00:00")


class ReportArguments(TypedDict, total=False):
    """What the hook's report methods take (``**given: Unpack[ReportArguments]``): a ``query``, or the
    arguments of ``ReportQuery.build`` (``start``, ``end`` and ``group_by`` required)."""

    query: ReportQuery
    start: dt.date | str
    end: dt.date | str
    group_by: str
    columns: Iterable[str] | None
    tz: str | None
    filters: Mapping[str, Any] | None


class PagedReportArguments(ReportArguments, total=False):
    """What the hook's paging report methods take: also the rows per request."""

    page_size: int | None
