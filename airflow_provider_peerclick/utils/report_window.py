"""Report arguments of tasks: checked at DAG parse time when they are plain values, completed at run time.

``start`` and ``end`` default to the run's data interval, seen in the account's time zone ``tz``, so a
daily DAG asks PeerClick for exactly the hours of its interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import pendulum

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.utils.tasks import check_now, is_templated

if TYPE_CHECKING:
    from airflow.sdk import Context

REPORT_TEMPLATE_FIELDS = ("group_by", "start", "end", "columns", "filters", "tz", "peerclick_conn_id")


def check_report_arguments(
    *, group_by: Any, start: Any, end: Any, columns: Any, filters: Any, tz: Any
) -> None:
    """Reject now what is wrong whatever the run: everything that is not a template."""
    check_now(group_by, arguments.group_by_name)
    check_now(columns, arguments.column_names)
    check_now(filters, arguments.report_filters)
    check_now(tz, arguments.time_zone)
    if is_templated(tz):
        return
    zone = arguments.time_zone(tz)
    check_now(start, partial(arguments.whole_hour, name="start", tz=zone))
    check_now(end, partial(arguments.whole_hour, name="end", tz=zone))
    if start is not None and end is not None and not is_templated([start, end]):
        arguments.ReportQuery.build(start=start, end=end, group_by="campaign", tz=zone)


def report_query(
    context: Context,
    *,
    group_by: str,
    start: Any,
    end: Any,
    columns: Iterable[str] | None,
    filters: Mapping[str, Any] | None,
    tz: str | None,
) -> dict[str, Any]:
    """The checked query as JSON-ready keyword arguments of ``PeerClickHook.iter_report_pages``."""
    zone = arguments.time_zone(tz)
    query = arguments.ReportQuery.build(
        start=_interval_bound(context, "data_interval_start", "start", zone) if start is None else start,
        end=_interval_bound(context, "data_interval_end", "end", zone) if end is None else end,
        group_by=group_by,
        columns=columns,
        tz=zone,
        filters=filters,
    )
    return query_arguments(query)


def query_arguments(query: arguments.ReportQuery) -> dict[str, Any]:
    """A checked query as JSON-ready keyword arguments of ``PeerClickHook.iter_report_pages``."""
    return {
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "group_by": query.group_by,
        "columns": list(query.columns),
        "tz": query.tz,
        "filters": dict(query.filters),
    }


class ReportArgumentsMixin:
    """The report arguments of a task (see ``REPORT_TEMPLATE_FIELDS``): checked, stored, resolved."""

    group_by: Any
    start: Any
    end: Any
    columns: Any
    filters: Any
    tz: Any

    def set_report_arguments(
        self, *, group_by: Any, start: Any, end: Any, columns: Any, filters: Any, tz: Any
    ) -> None:
        check_report_arguments(
            group_by=group_by, start=start, end=end, columns=columns, filters=filters, tz=tz
        )
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz

    def resolve_report_query(self, context: Context) -> dict[str, Any]:
        """The rendered arguments, checked, with the data interval filled in: no request sent yet."""
        return report_query(
            context,
            group_by=self.group_by,
            start=self.start,
            end=self.end,
            columns=self.columns,
            filters=self.filters,
            tz=self.tz,
        )


def _interval_bound(context: Context, key: str, name: str, zone: str) -> pendulum.DateTime:
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None or start == end:
        # Airflow 3's default cron schedule (CronTriggerTimetable) gives runs an empty interval: asking
        # PeerClick for zero hours would "succeed" with nothing, so say what to change instead.
        raise PeerClickInvalidArgumentError(
            f"{name}: not given, and this run's data interval is empty ({start} to {end}), so there is "
            "nothing to default to; pass start and end, or schedule with an interval: "
            "CronDataIntervalTimetable, CronTriggerTimetable(..., interval=...) or "
            "[scheduler] create_cron_data_intervals = True"
        )
    return pendulum.instance(context[key]).in_timezone(zone)  # type: ignore[literal-required]
