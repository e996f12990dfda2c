"""Land a PeerClick report window in a SQL table, one transaction per account day (or hour)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, AssetAlias, BaseOperator

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID
from airflow_provider_peerclick.progress import DEFAULT_PROGRESS_INTERVAL
from airflow_provider_peerclick.sql.names import TableName
from airflow_provider_peerclick.utils.landing_mixin import ReportTableLandingMixin, account_argument
from airflow_provider_peerclick.utils.lineage_mixin import ReportLineageMixin
from airflow_provider_peerclick.utils.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin
from airflow_provider_peerclick.utils.tasks import check_required_now, is_templated

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery
    from airflow_provider_peerclick.sql.landing import LandedPartition
    from airflow_provider_peerclick.sql.tables import ReportTable
    from airflow_provider_peerclick.utils.task_arguments import TaskArguments

DEFAULT_LOAD_TABLE = "peerclick_loads"


class PeerClickReportToSqlOperator(
    ReportTableLandingMixin, ReportLineageMixin, ReportArgumentsMixin, BaseOperator
):
    """
    Land a report window in ``table`` on the database of ``sql_conn_id``, one account day (or hour) at a
    time, and return ``{"table", "account", "row_count", "partitions", "restated"}`` to XCom
    (``partitions``: per partition its ``date``, ``hour`` in an hourly table, ``row_count`` and ``totals``).

    Each day is replaced in one transaction: its rows deleted, the new ones inserted, the load recorded in
    ``load_table``, then committed, and only after the rows add up to PeerClick's row count and totals.
    A reader sees the day as it was or as it is now, never both and never half of it. A failed or killed
    landing changes nothing, and a rerun replaces rather than duplicates.

    The table is created when absent: ``account`` and ``date`` (the day in ``tz``), then the group-by's
    ID and name, then the metrics, under snake_case names (``campaign_id``, ``revenue``); integers for
    counts, ``NUMERIC`` for money; primary key ``(account, date, <group-by ID>)``. ``load_table``
    (created too) has per partition ``table_name``, ``account``, ``partition``, ``date``, ``hour``,
    ``group_by``, ``row_count``, ``totals`` and ``query`` (JSON), ``run_id`` and ``loaded_at``: what
    PeerClick said, for audits.

    A table first landed with a window that covers part of a day (an hourly schedule) is created hourly:
    an ``hour`` column (the hour's first instant, with its UTC offset) after ``date``, in the primary key,
    and every hour its own partition, whole days included (a request each). A table of whole days refuses
    part of a day, so no table holds a day twice.

    PostgreSQL (``postgres`` connections) takes the rows through ``COPY``, and other days of the table
    stay readable and landable meanwhile; SQLite and every other ``DbApiHook`` get ``executemany``.

    :param sql_conn_id: an Airflow connection whose hook is a common.sql ``DbApiHook``.
    :param table: ``table`` or ``schema.table`` (letters, digits and ``_``).
    :param group_by: campaign, offer, traffic-source, country, day or hour-of-day.
    :param start: first day (inclusive); default the data interval start, converted into ``tz``.
    :param end: last day (exclusive); default the data interval end. Whole days of ``tz`` only.
    :param tz: the account's IANA time zone. Default UTC.
    :param columns: metrics to fetch (default all); a list or a comma-separated string.
    :param filters: group-by name to ID or code, e.g. ``{"country": "US"}``.
    :param account: the ``account`` column's value; default the connection's access key ID.
    :param load_table: the load table, ``peerclick_loads`` by default.
    :param schema_changes: when PeerClick starts or stops sending a column: ``evolve`` (default) adds
        it (a missing one stays NULL), ``freeze`` fails before anything is written, naming the column,
        ``discard`` drops new columns and logs them.
    :param page_size: rows per request, up to 10000; each request costs a second of the report limit.
    :param lookback_days: also re-check the N days before the window, one request each, against the load
        table, and replace the days whose row count or totals changed (``restated`` in the result).
    :param peerclick_conn_id: the PeerClick connection.
    :param progress_interval: seconds between progress lines while a report is paged. Default 10.

    OpenLineage (with the ``openlineage`` extra): the report as input, the table as output (named from
    its URI, e.g. ``postgres://host:5432/database/schema/table``), with its columns' SQL types and the
    rows this run wrote.

    Outlets: ``AssetAlias("peerclick_sql:{sql_conn_id}/{table}")`` when both are plain values; the run
    adds the table's Asset (that URI) through it, with the extra ``{"dates", "restated", "changed"}``.

    Runs in the ``peerclick_reports`` pool by default, throttled to 1 request/s per pool slot.
    """

    pool_kind = "reports"
    template_fields = (
        *REPORT_TEMPLATE_FIELDS,
        "sql_conn_id",
        "table",
        "load_table",
        "account",
    )
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        sql_conn_id: str,
        table: str,
        group_by: str,
        start: Any = None,
        end: Any = None,
        tz: str | None = "UTC",
        columns: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        account: str | None = None,
        load_table: str = DEFAULT_LOAD_TABLE,
        schema_changes: str = "evolve",
        page_size: int = arguments.MAX_PAGE_SIZE,
        lookback_days: int = 0,
        peerclick_conn_id: str = DEFAULT_CONN_ID,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL,
        **kwargs: Unpack[TaskArguments],
    ) -> None:
        super().__init__(peerclick_conn_id=peerclick_conn_id, **kwargs)
        self.page_size, self.lookback_days = page_size, lookback_days
        self.progress_interval = progress_interval
        self.sql_conn_id, self.table, self.load_table = sql_conn_id, table, load_table
        self.account, self.schema_changes = account, schema_changes
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also the table and load table names."""
        super().check_arguments()
        check_required_now(self.table, TableName.parse)
        check_required_now(self.load_table, lambda name: TableName.parse(name, "load_table"))

    def plain_outlets(self) -> list[AssetAlias]:
        """The table's ``AssetAlias``, when the connection and the table are plain values."""
        alias = table_alias(self.sql_conn_id, self.table)
        return [] if alias is None else [AssetAlias(alias)]

    def execute(self, context: Context) -> dict[str, Any]:
        """Land the window, a transaction per day (or hour), and restate the lookback days that changed."""
        from airflow_provider_peerclick.sql.asset import table_uri
        from airflow_provider_peerclick.sql.connection import sql_hook
        from airflow_provider_peerclick.sql.dialects import Dialect
        from airflow_provider_peerclick.sql.landing import TableLanding, land_partition, previous_load
        from airflow_provider_peerclick.sql.tables import Partition, ReportTable
        from airflow_provider_peerclick.storage.columns import column_order
        from airflow_provider_peerclick.storage.partitions import split_window
        from airflow_provider_peerclick.utils.lineage import table_lineage

        self.report_lineage = None
        # Everything that can be checked without PeerClick is checked first, so a missing connection or
        # a bad table name costs no request out of the account's limit.
        target = ReportTable(
            TableName.parse(self.table),
            TableName.parse(self.load_table, "load_table"),
            Dialect(sql_hook(self.sql_conn_id)),
        )
        query = self.resolve_report_query(context)
        account = account_argument(self.account) if self.account is not None else self.hook.settings.access_id
        run_id = str(context.get("run_id") or "")
        conn = target.dialect.connect()
        try:
            target.check_loads(conn)
            exists_hourly = target.is_hourly(conn)
            hourly = _is_hourly(query, target, exists_hourly)
            target = replace(target, hourly=hourly)
            partitions = list(split_window(query, hours=hourly))
            landing = TableLanding(target, account, run_id, self.schema_changes)
            self.log.info(
                "Landing the PeerClick report by %s from %s to %s (%s) into %s%s as account %s",
                query.group_by,
                query.start,
                query.end,
                query.tz,
                target.table,
                " (new, so created hourly: the window covers part of a day)"
                if exists_hourly is None and hourly
                else "",
                account,
            )
            target.create(conn, query.group_by, column_order(query.group_by, query.columns, None))
            landed = []
            for piece in partitions:
                landed.append(land_partition(conn, self._pages(piece), landing, piece))
                self.log.info(
                    "Committed %d rows of %s to %s",
                    landed[-1].row_count,
                    landed[-1].partition.name,
                    target.table,
                )

            def land(piece: ReportQuery, pages: Iterator[ReportPage]) -> LandedPartition:
                return land_partition(conn, pages, landing, piece)

            def previous_of(piece: ReportQuery) -> tuple[str, Mapping[str, Any] | None]:
                partition = Partition.of(piece, hourly)
                return partition.name, previous_load(conn, landing, partition)

            restated = self._restate_days(
                query,
                previous_of,
                land,
                lambda day: split_window(day, hours=hourly),
            )
        finally:
            conn.close()
        uri = table_uri(target.dialect.hook, target.table)
        self.report_lineage = table_lineage(
            self.hook, query, uri, [*landed, *(again for _, again in restated)]
        )
        self._announce(context, uri, landed, restated)
        return self._landing_result(landed, restated, table=str(target.table), account=account)

    def _announce(
        self,
        context: Context,
        uri: str,
        landed: list[LandedPartition],
        restated: list[tuple[dict[str, Any], LandedPartition]],
    ) -> None:
        """The table's Asset event, through the alias declared for it, with the days this run changed."""
        events = context.get("outlet_events")
        alias = table_alias(self.sql_conn_id, self.table)
        if events is None or alias is None:
            return
        for outlet in self.outlets:
            if isinstance(outlet, AssetAlias) and outlet.name == alias:
                events[outlet].add(Asset(uri), extra=_changed(landed, restated))


def table_alias(sql_conn_id: Any, table: Any) -> str | None:
    """The name of the AssetAlias a landing in ``table`` declares (None when either is templated): the
    table's Asset needs its connection's host, known only when the task runs, so the task adds the
    Asset through this alias then. Schedule downstream DAGs on ``AssetAlias(name)``."""
    if is_templated([sql_conn_id, table]) or not isinstance(sql_conn_id, str):
        return None
    return f"peerclick_sql:{sql_conn_id}/{table}"


def _changed(
    landed: list[LandedPartition], restated: list[tuple[dict[str, Any], LandedPartition]]
) -> dict[str, Any]:
    """The Asset event's extra: the dates landed, and the partitions (days, or hours) restated and changed."""
    dates = list(dict.fromkeys(piece.partition.date for piece in landed))
    again = [entry["partition"] for entry, _ in restated]
    changed = [*again, *(piece.partition.name for piece in landed)]
    return {"dates": dates, "restated": again, "changed": changed}


def _is_hourly(query: ReportQuery, target: ReportTable, exists_hourly: bool | None) -> bool:
    """The table's grain: as it was created, or, for a new table, hourly when the window covers part of a
    day. Part of a day never lands in a table of whole days, where a reader would sum it beside the day."""
    from airflow_provider_peerclick.storage.partitions import is_whole_day, split_window

    partial = next((piece for piece in split_window(query) if not is_whole_day(piece)), None)
    if exists_hourly is False and partial is not None:
        raise PeerClickInvalidArgumentError(
            f"start/end: the window {query.start.isoformat()} to {query.end.isoformat()} covers part of "
            f"{partial.start.to_date_string()} only, and {target.table} holds whole days of {query.tz}: give "
            "start and end at midnight, schedule the DAG daily, or land hours into a new table (created "
            "hourly)"
        )
    return bool(exists_hourly) if exists_hourly is not None else partial is not None
