"""PeerClickReportSensor: waits until a report's data for the interval is in and has settled."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.sensors.base import PeerClickPollingSensor
from airflow_provider_peerclick.utils.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.hooks._report_query import ReportQuery
    from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger
    from airflow_provider_peerclick.utils.observations import Observation, ReportWait
    from airflow_provider_peerclick.utils.task_arguments import PeerClickSensorArguments

ReportCondition = Callable[[dict[str, Any]], bool]


class PeerClickReportSensor(ReportArgumentsMixin, PeerClickPollingSensor):
    """
    Wait for a report: by default until two polls ``poke_interval`` apart saw the same row count and
    totals (PeerClick is still counting late clicks and conversions while they change), which costs one
    poll more than the first; none more once the report is final (``final_after``).

    Takes the report arguments of PeerClickReportOperator (``group_by`` default campaign, ``start`` and
    ``end`` default the data interval, ``columns``, ``filters``, ``tz``), and:

    :param condition: instead of the default rule, a callable that gets the sensor's result (below) and
        returns True when the wait is over, e.g. ``lambda r: r["totals"]["conversions"] >= 100``. In
        deferrable mode the trigger wakes the task on every change and the task evaluates it.
    :param final_after: how long after the report's ``end`` its numbers stop changing, e.g.
        ``timedelta(days=3)``: from then on the first poll is the answer (backfills of old days then cost one
        request per sensor). Match it to the landings' ``lookback_days``, after which a day is never
        re-checked anyway. Default None: always confirm with a second poll.

    Returns ``{"total_rows", "totals", "group_by", "start", "end", "tz", "columns", "filters",
    "peerclick_conn_id"}``: a PeerClickReportOperator downstream that asks for the same report of the same
    connection takes its answer from there instead of asking PeerClick again. Runs in the
    ``peerclick_reports`` pool by default. The default rule compares polls, so ``mode="reschedule"`` (which
    forgets between polls) is refused: use ``deferrable=True`` to free the worker.
    """

    template_fields = REPORT_TEMPLATE_FIELDS
    pool_kind = "reports"

    def __init__(
        self,
        *,
        group_by: str = "campaign",
        start: Any = None,
        end: Any = None,
        columns: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        tz: str | None = None,
        condition: ReportCondition | None = None,
        final_after: timedelta | None = None,
        **kwargs: Unpack[PeerClickSensorArguments],
    ) -> None:
        super().__init__(**kwargs)
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz
        self.condition = condition
        self.final_after = final_after
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also ``condition``, ``final_after``, and a ``mode`` the default rule can use."""
        super().check_arguments()
        condition, final_after = self.condition, self.final_after
        if condition is not None and not callable(condition):
            raise PeerClickInvalidArgumentError(
                f"condition: got {condition!r}; allowed: a callable taking {{'total_rows', 'totals'}}"
            )
        if condition is None and self.mode == "reschedule" and not self.deferrable:
            raise PeerClickInvalidArgumentError(
                "mode: got 'reschedule'; allowed: 'poke', or deferrable=True (the default rule compares "
                "two polls, and a rescheduled sensor forgets the first)"
            )
        if final_after is not None and (not isinstance(final_after, timedelta) or final_after < timedelta(0)):
            raise PeerClickInvalidArgumentError(
                f"final_after: got {final_after!r}; allowed: None or a timedelta of zero or more, e.g. "
                "timedelta(days=3)"
            )

    def observe(self, context: Context, previous: Any) -> Observation:
        # The polling machinery loads when a task runs; a DAG file that only declares the sensor needs none.
        """One summary request, compared with the previous poll's."""
        from airflow_provider_peerclick.utils.observations import observe_report

        query = self.resolve_report_query(context)
        return observe_report(self.hook, query, previous, self._until, final_at=self._final_at(query))

    def _final_at(self, query: ReportQuery) -> float | None:
        if self.final_after is None:
            return None
        return query.end.timestamp() + self.final_after.total_seconds()

    @property
    def _until(self) -> ReportWait:
        return "stable" if self.condition is None else "changed"

    def accepts(self, seen: Observation) -> bool:
        """Whether the wait is over: settled by the default rule, or ``condition`` true."""
        if self.condition is None:
            return seen.done
        return bool(self.condition(seen.value))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """As the base sensor's, the report's extra link kept again: the task resumes in a new process."""
        self.resolve_report_query(context)
        return super().execute_complete(context, event)

    def make_trigger(self, context: Context, previous: Any, end_time: float) -> PeerClickReportTrigger:
        # Imported when the sensor defers: a DAG file that only declares it needs no trigger machinery.
        """The trigger that goes on polling the report from the triggerer."""
        from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger

        query = self.resolve_report_query(context)
        return PeerClickReportTrigger(
            query=query,
            until=self._until,
            final_at=self._final_at(query),
            peerclick_conn_id=self.peerclick_conn_id,
            pool_slots=self.pool_slots,
            poll_interval=self.poke_interval,
            end_time=end_time,
            previous=previous,
        )
