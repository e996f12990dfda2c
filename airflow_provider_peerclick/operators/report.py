"""The report operators: a report's row count and totals (and, for small reports, its rows) to XCom, and a
report window landed in object storage, one partition per account day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseOperator, ObjectStoragePath

from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID
from airflow_provider_peerclick.progress import DEFAULT_PROGRESS_INTERVAL
from airflow_provider_peerclick.storage.destination import (
    asset_uri,
    check_destination_text,
    resolve_destination,
)
from airflow_provider_peerclick.storage.partitions import (
    DEFAULT_DAY_TEMPLATE,
    DEFAULT_HOUR_TEMPLATE,
    PartitionLayout,
)
from airflow_provider_peerclick.storage.row_formats import require_row_format
from airflow_provider_peerclick.utils.landing_mixin import ReportLandingMixin
from airflow_provider_peerclick.utils.lineage_mixin import ReportLineageMixin
from airflow_provider_peerclick.utils.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin
from airflow_provider_peerclick.utils.tasks import check_required_now, is_templated
from airflow_provider_peerclick.version_compat import AirflowFailException

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.hooks.peerclick import (
        PeerClickHook,
        ReportPage,
        ReportQuery,
        ReportSummary,
    )
    from airflow_provider_peerclick.storage.landing import LandedPartition
    from airflow_provider_peerclick.storage.staged_partition import Attempt
    from airflow_provider_peerclick.utils.lineage import ReportLineage
    from airflow_provider_peerclick.utils.task_arguments import TaskArguments

DEFAULT_MAX_ROWS = 1_000


class PeerClickReportOperator(ReportLineageMixin, ReportArgumentsMixin, BaseOperator):
    """
    Fetch a PeerClick report and return ``{"total_rows", "totals", "start", "end", "tz", "group_by",
    "columns", "filters"}`` to XCom, plus ``"rows"`` when ``include_rows`` is set.

    Without ``include_rows``, a PeerClickReportSensor directly upstream that returned this very report
    (same query and connection) in this run is the answer: no request is sent.

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
        peerclick_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Unpack[TaskArguments],
    ) -> None:
        super().__init__(peerclick_conn_id=peerclick_conn_id, **kwargs)
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz
        self.include_rows = include_rows
        self.max_rows = max_rows
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also ``include_rows`` and ``max_rows``."""
        super().check_arguments()
        arguments.flag(self.include_rows, "include_rows")
        arguments.positive_int(self.max_rows, "max_rows")

    def execute(self, context: Context) -> dict[str, Any]:
        """Fetch the report's row count and totals (and its rows with ``include_rows``)."""
        self.report_lineage = None
        query = self.resolve_report_query(context)
        self.log.info(
            "PeerClick report by %s from %s to %s (%s)",
            query.group_by,
            query.start.isoformat(),
            query.end.isoformat(),
            query.tz,
        )
        if not self.include_rows:
            summary = self._summary(context, query)
            self.log.info("The report has %d rows", summary.total_rows)
            self.report_lineage = _lineage(self.hook, query)
            return {"total_rows": summary.total_rows, "totals": summary.totals, **query.to_json()}
        rows: list[dict[str, Any]] = []
        total_rows, totals = 0, {}
        page_size = min(self.max_rows, arguments.MAX_PAGE_SIZE)
        for page in self.hook.iter_report_pages(query=query, page_size=page_size):
            if page.total_rows > self.max_rows:
                raise AirflowFailException(
                    f"The report has {page.total_rows} rows, more than max_rows={self.max_rows}: "
                    "too many for XCom. Land it with PeerClickReportToStorageOperator instead, or narrow it "
                    "(filters, a shorter start..end, a coarser group_by)."
                )
            rows.extend(page.rows)
            totals, total_rows = page.totals, page.total_rows
        self.log.info("Fetched the report's %d rows", len(rows))
        self.report_lineage = _lineage(self.hook, query)
        return {"total_rows": total_rows, "totals": totals, **query.to_json(), "rows": rows}

    def _summary(self, context: Context, query: ReportQuery) -> ReportSummary:
        from airflow_provider_peerclick.utils.readings import upstream_report_reading

        reading = upstream_report_reading(self, context, query)
        if reading is None:
            return self.hook.get_report_summary(query=query)
        sensor, summary = reading
        self.log.info("Row count and totals as %s returned them in this run; no request sent", sensor)
        return summary


class PeerClickReportToStorageOperator(
    ReportLandingMixin, ReportLineageMixin, ReportArgumentsMixin, BaseOperator
):
    """
    Fetch a report window page by page into one partition per account day,
    ``{destination}/{group_by}/date={YYYY-MM-DD}/part-{run}-0000.{ext}`` plus a ``_manifest.json`` each (the
    commit point: readers follow it), and
    return ``{"format", "row_count", "partitions"}`` to XCom (``partitions``: per partition its
    ``partition``, ``path``, ``manifest``, ``row_count``, ``totals`` and ``files``).

    Days are midnight to midnight in ``tz``; hours of a day the window covers only in part (an hourly
    schedule) land as hour partitions (``/hour=HH``), so partitions never overlap. Each partition has its
    own report request and is replaced only after every row is written and the rows add up to its report's
    row count and totals; a failed partition keeps its previous version and leaves no new files. A rerun of
    the same query writes byte-identical data files.

    :param destination: base folder: an absolute local path or ``file://`` URL, or an object store URL such
        as ``s3://bucket/prefix`` (the store's Airflow provider must be installed). A str (templated) or an
        ``ObjectStoragePath``.
    :param group_by: campaign, offer, traffic-source, country, day or hour-of-day.
    :param start: first hour (inclusive); default the data interval start, converted into ``tz``.
    :param end: last hour (exclusive); default the data interval end, converted into ``tz``.
    :param tz: the account's IANA time zone. Default UTC.
    :param columns: metrics to fetch (default all); a list or a comma-separated string.
    :param filters: group-by name to ID or code, e.g. ``{"country": "US"}``.
    :param format: ``jsonl`` (default), ``csv``, or ``parquet`` (needs the ``parquet`` extra).
    :param page_size: rows per request, up to 10000; each request costs a second of the report limit.
    :param partition_template: the folder of a day below ``{group_by}``; fields ``{date}``, ``{year}``,
        ``{month}``, ``{day}``. Default ``date={date}`` (Hive-style).
    :param hour_partition_template: the folder of an hour; fields as above plus ``{hour}``.
    :param lookback_days: also re-check the N days before the window, one request each for the day's
        first page, and re-land the days whose row count or totals differ from their manifest (late
        conversions), starting from that page: a changed day that fits in one page costs no more. Days
        never landed are skipped. The result's ``restated`` lists each re-landed day with its previous and
        new totals, and so does the Asset event's extra (``changed``: every partition this run wrote).
    :param peerclick_conn_id: the PeerClick connection.
    :param storage_conn_id: the Airflow connection ObjectStoragePath uses for ``destination``.
    :param progress_interval: while a report is paged, log its pages, rows, elapsed time and the time
        left at most every this many seconds, plus a line when it is through. Default 10.

    Outlets: an ``Asset`` with URI ``{destination}/{group_by}`` is declared when both are plain values at
    DAG parse time, so downstream DAGs can be scheduled on it. A templated destination or group_by is only
    known at run time, when no outlet can be declared any more: pass ``outlets=[Asset(...)]`` yourself.

    OpenLineage (with the ``openlineage`` extra): the report (namespace ``peerclick://{api host}/{access key
    ID}``, name ``report/{group_by}``) as input, the ``{destination}/{group_by}`` dataset as output, with
    their schemas and the rows, bytes and files this run wrote.

    Runs in the ``peerclick_reports`` pool by default, throttled to 1 request/s per pool slot.
    """

    pool_kind = "reports"
    template_fields = (
        *REPORT_TEMPLATE_FIELDS,
        "destination",
        "format",
        "storage_conn_id",
        "partition_template",
        "hour_partition_template",
    )
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        destination: str | ObjectStoragePath,
        group_by: str,
        start: Any = None,
        end: Any = None,
        tz: str | None = "UTC",
        columns: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        format: str = "jsonl",
        page_size: int = arguments.MAX_PAGE_SIZE,
        peerclick_conn_id: str = DEFAULT_CONN_ID,
        storage_conn_id: str | None = None,
        partition_template: str = DEFAULT_DAY_TEMPLATE,
        hour_partition_template: str = DEFAULT_HOUR_TEMPLATE,
        lookback_days: int = 0,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL,
        **kwargs: Unpack[TaskArguments],
    ) -> None:
        super().__init__(peerclick_conn_id=peerclick_conn_id, **kwargs)
        self.page_size, self.lookback_days = page_size, lookback_days
        self.progress_interval = progress_interval
        self.destination, self.format, self.storage_conn_id = destination, format, storage_conn_id
        self.partition_template = partition_template
        self.hour_partition_template = hour_partition_template
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also ``destination``, ``format`` and the partition templates."""
        super().check_arguments()
        check_required_now(self.destination, check_destination_text)
        check_required_now(self.format, require_row_format)
        templates = [self.partition_template, self.hour_partition_template]
        if not is_templated(templates):
            PartitionLayout(*templates)

    def plain_outlets(self) -> list[Asset]:
        """The Asset ``{destination}/{group_by}``, when both are plain values."""
        uri = None if is_templated(self.group_by) else asset_uri(self.destination, self.group_by)
        return [] if uri is None else [Asset(uri)]

    def execute(self, context: Context) -> dict[str, Any]:
        """Land the window, a partition per day (or hour), and restate the lookback days that changed."""
        from airflow_provider_peerclick.storage.landing import land_window

        self.report_lineage = None
        # Everything that can be checked without PeerClick is checked first, so a bad destination or a
        # missing extra costs no request out of the account's limit.
        base = resolve_destination(self.destination, self.storage_conn_id)
        row_format = require_row_format(self.format)
        layout = PartitionLayout(self.partition_template, self.hour_partition_template)
        query = self.resolve_report_query(context)
        self.log.info(
            "Landing the PeerClick report by %s from %s to %s (%s) as %s under %s",
            query.group_by,
            query.start,
            query.end,
            query.tz,
            row_format,
            base,
        )
        attempt = _attempt(context)
        landed = land_window(
            self._pages, base=base, query=query, row_format=row_format, layout=layout, attempt=attempt
        )
        for partition in landed:
            self.log.info("Committed %d rows to %s", partition.row_count, partition.path)
        written = list(landed)
        restated = self._restate(base, query, row_format, layout, written, attempt)
        result = {
            "format": row_format,
            "row_count": sum(partition.row_count for partition in landed),
            "partitions": [partition.to_xcom() for partition in landed],
            "restated": restated,
        }
        self._announce(context, query, landed, restated)
        # Named as the outlet Asset is, so lineage and Asset-scheduled DAGs name one dataset alike.
        dataset = asset_uri(self.destination, query.group_by) or str(base / query.group_by)
        from airflow_provider_peerclick.utils.lineage import Landed

        self.report_lineage = replace(_lineage(self.hook, query), landed=Landed.of(dataset, written))
        return result

    def _restate(
        self,
        base: ObjectStoragePath,
        query: ReportQuery,
        row_format: str,
        layout: PartitionLayout,
        written: list[LandedPartition],
        attempt: Attempt | None,
    ) -> list[dict[str, Any]]:
        """Re-land the lookback days whose totals changed (adding them to ``written``); their previous and
        new totals, oldest first."""
        from airflow_provider_peerclick.storage.landing import land_report
        from airflow_provider_peerclick.storage.restatement import partition_manifest

        def land(day: ReportQuery, pages: Iterator[ReportPage]) -> LandedPartition:
            return land_report(
                pages,
                base=base,
                query=day,
                row_format=row_format,
                layout=layout,
                reason="restated",
                attempt=attempt,
            )

        restated = self._restate_days(
            query,
            lambda day: (layout.key(day), partition_manifest(base, day, layout)),
            land,
        )
        written.extend(again for _, again in restated)
        return [entry for entry, _ in restated]

    def _announce(
        self,
        context: Context,
        query: ReportQuery,
        landed: list[LandedPartition],
        restated: list[dict[str, Any]],
    ) -> None:
        """Tell downstream DAGs, through the Asset event's extra, which partitions this run changed."""
        events = context.get("outlet_events")
        if events is None:
            return
        written = [partition.partition for partition in landed]
        again = [entry["partition"] for entry in restated]
        extra: dict[str, Any] = {
            "start": query.start.isoformat(),
            "end": query.end.isoformat(),
            "partitions": written,
            "restated": again,
            "changed": [*again, *written],
        }
        for outlet in self.outlets:
            if isinstance(outlet, Asset):
                events[outlet].extra.update(extra)


def _attempt(context: Context) -> Attempt | None:
    """The task try running, whose name on its files lets the next try sweep them if it is killed."""
    from airflow_provider_peerclick.storage.staged_partition import Attempt

    ti = context.get("ti")
    if ti is None:
        return None
    map_index = getattr(ti, "map_index", None)
    return Attempt.of(ti.dag_id, ti.task_id, ti.run_id, -1 if map_index is None else map_index, ti.try_number)


def _lineage(hook: PeerClickHook, query: ReportQuery) -> ReportLineage:
    from airflow_provider_peerclick.utils.lineage import ReportLineage

    return ReportLineage.of(hook.settings, query)
