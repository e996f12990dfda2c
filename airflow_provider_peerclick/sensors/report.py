"""PeerClickReportSensor: waits until a report's data for the interval is in and has settled."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.sensors.base import PeerClickPollingSensor
from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger
from airflow_provider_peerclick.utils.observations import Observation, ReportWait, observe_report
from airflow_provider_peerclick.utils.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

ReportCondition = Callable[[dict[str, Any]], bool]


class PeerClickReportSensor(ReportArgumentsMixin, PeerClickPollingSensor):
    """
    Wait for a report: by default until it has rows and two polls ``poke_interval`` apart saw the same
    row count and totals (PeerClick is still counting late clicks and conversions while they change).

    Takes the report arguments of PeerClickReportOperator (``group_by`` default campaign, ``start`` and
    ``end`` default the data interval, ``columns``, ``filters``, ``tz``), and:

    :param condition: instead of the default rule, a callable that gets ``{"total_rows", "totals"}`` and
        returns True when the wait is over, e.g. ``lambda r: r["totals"]["conversions"] >= 100``. In
        deferrable mode the trigger wakes the task on every change and the task evaluates it.

    Returns ``{"total_rows", "totals"}``. Runs in the ``peerclick_reports`` pool by default. The
    default rule compares polls, so ``mode="reschedule"`` (which forgets between polls) is refused:
    use ``deferrable=True`` to free the worker.
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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.set_report_arguments(
            group_by=group_by, start=start, end=end, columns=columns, filters=filters, tz=tz
        )
        if condition is not None and not callable(condition):
            raise PeerClickInvalidArgumentError(
                f"condition: got {condition!r}; allowed: a callable taking {{'total_rows', 'totals'}}"
            )
        if condition is None and self.mode == "reschedule" and not self.deferrable:
            raise PeerClickInvalidArgumentError(
                "mode: got 'reschedule'; allowed: 'poke', or deferrable=True (the default rule compares "
                "two polls, and a rescheduled sensor forgets the first)"
            )
        self.condition = condition

    def observe(self, context: Context, previous: Any) -> Observation:
        return observe_report(self.hook, self.resolve_report_query(context), previous, self._until)

    @property
    def _until(self) -> ReportWait:
        return "stable" if self.condition is None else "changed"

    def accepts(self, seen: Observation) -> bool:
        if self.condition is None:
            return seen.done
        return bool(self.condition(seen.value))

    def make_trigger(self, context: Context, previous: Any, end_time: float) -> PeerClickReportTrigger:
        return PeerClickReportTrigger(
            query=self.resolve_report_query(context),
            until=self._until,
            peerclick_conn_id=self.peerclick_conn_id,
            pool_slots=self.pool_slots,
            poll_interval=self.poke_interval,
            end_time=end_time,
            previous=previous,
        )
