"""PeerClickReportOperator: a report's row count and totals (and, for small reports, its rows) to XCom."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_peerclick import arguments
from airflow_provider_peerclick._compat import AirflowFailException
from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.lineage import ReportLineage, ReportLineageMixin
from airflow_provider_peerclick.operators.report_to_storage import PeerClickReportToStorageOperator
from airflow_provider_peerclick.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin
from airflow_provider_peerclick.tasks import PeerClickTaskMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["PeerClickReportOperator", "PeerClickReportToStorageOperator"]

DEFAULT_MAX_ROWS = 1_000


class PeerClickReportOperator(ReportLineageMixin, ReportArgumentsMixin, PeerClickTaskMixin, BaseOperator):
    """
    Fetch a PeerClick report and return ``{"total_rows", "totals", "start", "end", "tz", "group_by",
    "columns", "filters"}`` to XCom, plus ``"rows"`` when ``include_rows`` is set.

    XCom is for small values: with ``include_rows`` the task fails, after one request, when the report has
    more than ``max_rows`` rows. Land big reports with the storage operator instead.

    :param group_by: campaign, offer, traffic-source, country, day or hour-of-day.
    :param start: first hour (inclusive); a date or whole-hour datetime. Default: the data interval start.
    :param end: last hour (exclusive). Default: the data interval end.
    :param columns: metrics to fetch (default all); a list or a comma-separated string.
    :param filters: group-by name to ID or code, e.g. ``{"country": "US"}``.
    :param tz: the account's IANA time zone; naive datetimes are read in it, and the data interval is
        converted into it. Default UTC.
    :param include_rows: also return the rows.
    :param max_rows: the most rows ``include_rows`` may return.
    :param peerclick_conn_id: the PeerClick connection.

    OpenLineage (with the ``openlineage`` extra): the report (namespace ``peerclick://{api host}/{access key
    ID}``, name ``report/{group_by}``, with its schema) as input.

    Runs in the ``peerclick_reports`` pool by default, throttled to 1 request/s per pool slot.
    """

    template_fields = REPORT_TEMPLATE_FIELDS
    pool_kind = "reports"
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        group_by: str,
        start: Any = None,
        end: Any = None,
        columns: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        tz: str | None = None,
        include_rows: bool = False,
        max_rows: int = DEFAULT_MAX_ROWS,
        peerclick_conn_id: str = PeerClickHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("pool", self.default_pool(peerclick_conn_id))
        super().__init__(**kwargs)
        self.set_report_arguments(
            group_by=group_by, start=start, end=end, columns=columns, filters=filters, tz=tz
        )
        if not isinstance(include_rows, bool):
            raise PeerClickInvalidArgumentError(f"include_rows: got {include_rows!r}; allowed: True or False")
        self.include_rows = include_rows
        self.max_rows = arguments.positive_int(max_rows, "max_rows")
        self.peerclick_conn_id = peerclick_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        self.report_lineage = None
        query = self.resolve_report_query(context)
        self.log.info(
            "PeerClick report by %s from %s to %s (%s)", *map(query.get, ("group_by", "start", "end", "tz"))
        )
        if not self.include_rows:
            summary = self.hook.get_report_summary(**query)
            self.log.info("The report has %d rows", summary.total_rows)
            self.report_lineage = ReportLineage.of(self.hook.settings, query)
            return {"total_rows": summary.total_rows, "totals": summary.totals, **query}
        rows: list[dict[str, Any]] = []
        total_rows, totals = 0, {}
        page_size = min(self.max_rows, arguments.MAX_PAGE_SIZE)
        for page in self.hook.iter_report_pages(**query, page_size=page_size):
            if page.total_rows > self.max_rows:
                raise AirflowFailException(
                    f"The report has {page.total_rows} rows, more than max_rows={self.max_rows}: "
                    "too many for XCom. Land it with PeerClickReportToStorageOperator instead, or narrow it "
                    "(filters, a shorter start..end, a coarser group_by)."
                )
            rows.extend(page.rows)
            totals, total_rows = page.totals, page.total_rows
        self.log.info("Fetched the report's %d rows", len(rows))
        self.report_lineage = ReportLineage.of(self.hook.settings, query)
        return {"total_rows": total_rows, "totals": totals, **query, "rows": rows}
