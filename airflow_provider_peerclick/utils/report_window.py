"""Report arguments of tasks: checked at DAG parse time when they are plain values, completed and checked
again, rendered, at run time (``ReportQuery.build``).

``start`` and ``end`` default to the run's data interval, seen in the account's time zone ``tz``, so a
daily DAG asks PeerClick for exactly the hours of its interval.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import pendulum

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.links import REPORT_LINK, PeerClickReportLink
from airflow_provider_peerclick.utils.tasks import (
    PeerClickTaskMixin,
    check_now,
    check_required_now,
    is_templated,
)

if TYPE_CHECKING:
    from airflow.sdk import BaseOperatorLink, Context

    from airflow_provider_peerclick.hooks._report_query import ReportQuery


def check_report_arguments(given: Mapping[str, Any]) -> None:
    """Reject now what is wrong whatever the run: everything in ``given`` that is not a template."""
    check_required_now(given["group_by"], arguments.group_by_name)
    check_now(given["columns"], arguments.column_names)
    check_now(given["filters"], arguments.report_filters)
    tz, start, end = given["tz"], given["start"], given["end"]
    check_now(tz, arguments.time_zone)
    if is_templated(tz):
        return
    zone = arguments.time_zone(tz)
    check_now(start, partial(arguments.whole_hour, name="start", tz=zone))
    check_now(end, partial(arguments.whole_hour, name="end", tz=zone))
    if start is not None and end is not None and not is_templated([start, end]):
        from airflow_provider_peerclick.hooks._report_query import ReportQuery  # DAG files rarely get here

        ReportQuery.build(start=start, end=end, group_by="campaign", tz=zone)


def report_query(context: Context, given: Mapping[str, Any]) -> ReportQuery:
    """The rendered arguments ``given`` as a checked query, the run's data interval standing in for a
    missing ``start`` or ``end``."""
    from airflow_provider_peerclick.hooks._report_query import ReportQuery  # not needed at parse time

    zone = arguments.time_zone(given["tz"])
    window = {
        name: _interval_bound(context, f"data_interval_{name}", name, zone)
        for name in ("start", "end")
        if given[name] is None
    }
    return ReportQuery.build(**{**given, **window, "tz": zone})


# Every report task's template fields, its ``ReportQuery``'s arguments.
REPORT_TEMPLATE_FIELDS = arguments.REPORT_ARGUMENTS


class ReportArgumentsMixin(PeerClickTaskMixin):
    """The report arguments of a task (``group_by``, ``start``, ``end``, ``columns``, ``filters``, ``tz``:
    template fields): checked when plain, and resolved into a ``ReportQuery`` when the task runs."""

    operator_extra_links: Collection[BaseOperatorLink] = (REPORT_LINK,)

    def check_arguments(self) -> None:
        """Also the report arguments that are plain values."""
        super().check_arguments()
        check_report_arguments(self._report_arguments())

    def resolve_report_query(self, context: Context) -> ReportQuery:
        """The rendered arguments, checked, with the data interval filled in: no request sent yet. The
        report's extra link is kept for it."""
        query = report_query(context, self._report_arguments())
        self.keep_link(REPORT_LINK, PeerClickReportLink.values(query))
        return query

    def _report_arguments(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in arguments.REPORT_ARGUMENTS}


def _interval_bound(context: Context, key: str, name: str, zone: str) -> pendulum.DateTime:
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start != end:
        return pendulum.instance(context[key]).in_timezone(zone)  # type: ignore[literal-required]
    if ("logical_date" in context and context["logical_date"] is None) or start is None or end is None:
        # Airflow 3 lets a run be triggered without a logical date (the REST API, the UI's trigger form
        # with the date left empty): such a run has no data interval at all, whatever the timetable.
        raise PeerClickInvalidArgumentError(
            f"{name}: not given, and this run has no data interval to default to: it was triggered "
            "without a logical date (e.g. from the REST API or the UI with the date left empty); pass "
            "start and end, or trigger the run with a logical date"
        )
    # Airflow 3's default cron schedule (CronTriggerTimetable) gives runs an empty interval: asking
    # PeerClick for zero hours would "succeed" with nothing, so say what to change instead.
    raise PeerClickInvalidArgumentError(
        f"{name}: not given, and this run's data interval is empty ({start} to {end}), so there is "
        "nothing to default to; pass start and end, or schedule with an interval: "
        "CronDataIntervalTimetable, CronTriggerTimetable(..., interval=...) or "
        "[scheduler] create_cron_data_intervals = True"
    )
