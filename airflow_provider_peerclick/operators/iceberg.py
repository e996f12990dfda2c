"""Land a PeerClick report window in an Apache Iceberg table, one snapshot commit per account day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseOperator

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID
from airflow_provider_peerclick.progress import DEFAULT_PROGRESS_INTERVAL
from airflow_provider_peerclick.utils.landing_mixin import (
    ReportTableLandingMixin,
    account_argument,
    require_whole_days,
)
from airflow_provider_peerclick.utils.lineage_mixin import ReportLineageMixin
from airflow_provider_peerclick.utils.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin
from airflow_provider_peerclick.utils.tasks import check_now, is_templated

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery
    from airflow_provider_peerclick.iceberg.landing import LandedDay
    from airflow_provider_peerclick.utils.task_arguments import TaskArguments


class PeerClickReportToIcebergOperator(
    ReportTableLandingMixin, ReportLineageMixin, ReportArgumentsMixin, BaseOperator
):
    """
    Land a report window in the Iceberg table ``table`` of ``warehouse``, one account day at a time, and
    return ``{"table", "account", "row_count", "partitions", "restated"}`` to XCom.

    Each day's rows are written as a Parquet data file, checked against PeerClick's row count and totals,
    then the day is replaced in **one commit**: its old data files deleted and the new one added, with
    the load's facts in the snapshot summary (``peerclick.row_count``, ``peerclick.totals``,
    ``peerclick.query``, ``peerclick.run_id``, ...). Every Iceberg reader (Spark, Trino, DuckDB,
    pyiceberg, Snowflake) sees a day as it was or as it is now. A failed or killed landing leaves the
    table at its last snapshot; landings of other days that commit meanwhile make this one retry against
    the new metadata, never lose a day.

    The table is created when absent, partitioned by ``account`` and ``date`` (identity), with the SQL
    tables' columns: ``account``, ``date``, then the report's under snake_case names (``campaign_id``,
    ``revenue``), longs for counts, doubles for money and ratios (as in the Parquet files).

    :param warehouse: where tables live: an absolute folder (the default catalog is a SQLite file in it,
        ``_catalog.sqlite``), or with ``catalog_conn_id`` whatever that catalog's warehouse is.
    :param table: ``table`` or ``namespace.table`` (letters, digits and ``_``); namespace ``peerclick``
        by default.
    :param catalog_conn_id: an Airflow connection to the catalog: type ``iceberg`` (a REST catalog: host
        its URL, login and password the client's ID and secret, extra more pyiceberg properties), or any
        connection whose extra holds pyiceberg catalog properties (``{"type": "sql", "uri": ...}``).
    :param group_by: campaign, offer, traffic-source, country, day or hour-of-day.
    :param start: first day (inclusive); default the data interval start, converted into ``tz``.
    :param end: last day (exclusive); default the data interval end. Whole days of ``tz`` only.
    :param tz: the account's IANA time zone. Default UTC.
    :param columns: metrics to fetch (default all); a list or a comma-separated string.
    :param filters: group-by name to ID or code, e.g. ``{"country": "US"}``.
    :param account: the ``account`` column's value; default the connection's access key ID.
    :param schema_changes: ``evolve`` (default: Iceberg's schema evolution adds new columns; a column
        PeerClick stops sending reads as NULL), ``freeze`` (fail before anything is written, naming the
        column) or ``discard`` (drop new columns and log them).
    :param page_size: rows per request, up to 10000; each request costs a second of the report limit.
    :param lookback_days: also re-check the N days before the window, one request each, against the
        snapshot that landed each, and replace the days whose row count or totals changed.
    :param peerclick_conn_id: the PeerClick connection.
    :param progress_interval: seconds between progress lines while a report is paged. Default 10.

    OpenLineage (with the ``openlineage`` extra): the report as input, the table as output (named from
    its location, e.g. ``s3://lake/warehouse/peerclick/campaign``), with its columns' Iceberg types and
    the rows this run wrote.

    Outlets: the table's ``Asset`` (its folder under a local warehouse, ``file:///.../namespace/table``)
    when the default catalog is used and nothing is templated.

    Runs in the ``peerclick_reports`` pool by default, throttled to 1 request/s per pool slot.
    """

    pool_kind = "reports"
    template_fields = (
        *REPORT_TEMPLATE_FIELDS,
        "warehouse",
        "table",
        "catalog_conn_id",
        "account",
    )
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        warehouse: str,
        table: str,
        group_by: str,
        catalog_conn_id: str | None = None,
        start: Any = None,
        end: Any = None,
        tz: str | None = "UTC",
        columns: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        account: str | None = None,
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
        self.warehouse, self.table, self.catalog_conn_id = warehouse, table, catalog_conn_id
        self.account, self.schema_changes = account, schema_changes
        self.group_by, self.start, self.end = group_by, start, end
        self.columns, self.filters, self.tz = columns, filters, tz
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also the table's identifier."""
        from airflow_provider_peerclick.iceberg.tables import table_identifier

        super().check_arguments()
        check_now(self.table, table_identifier)

    def plain_outlets(self) -> list[Asset]:
        """The table's Asset, when the default catalog's warehouse and the table are plain values."""
        asset = table_asset(self.warehouse, self.table, self.catalog_conn_id)
        return [] if asset is None else [Asset(asset)]

    def execute(self, context: Context) -> dict[str, Any]:
        """Land the window, a snapshot per day, and restate the lookback days that changed."""
        from airflow_provider_peerclick.iceberg.catalog import open_catalog, require_pyiceberg
        from airflow_provider_peerclick.iceberg.landing import IcebergLanding, land_day, previous_load
        from airflow_provider_peerclick.iceberg.tables import table_identifier
        from airflow_provider_peerclick.storage.partitions import split_window
        from airflow_provider_peerclick.utils.lineage import table_lineage

        self.report_lineage = None
        # Everything that can be checked without PeerClick is checked first.
        require_pyiceberg()
        identifier = table_identifier(self.table)
        query = self.resolve_report_query(context)
        days = list(split_window(query))
        require_whole_days(query, days, f"the Iceberg table {'.'.join(identifier)}")
        catalog = open_catalog(self.catalog_conn_id, self.warehouse)
        account = account_argument(self.account) if self.account is not None else self.hook.settings.access_id
        landing = IcebergLanding(
            catalog, identifier, account, str(context.get("run_id") or ""), self.schema_changes
        )
        self.log.info(
            "Landing the PeerClick report by %s from %s to %s (%s) into Iceberg table %s as account %s",
            query.group_by,
            query.start,
            query.end,
            query.tz,
            ".".join(identifier),
            account,
        )
        landed = []
        for day in days:
            landed.append(land_day(landing, self._pages(day), day))
            self.log.info(
                "Committed %d rows of %s (snapshot %s)",
                landed[-1].row_count,
                landed[-1].date,
                landed[-1].snapshot_id,
            )

        def land(day: ReportQuery, pages: Iterator[ReportPage]) -> LandedDay:
            return land_day(landing, pages, day)

        restated = self._restate_days(
            query,
            lambda day: (day.start.to_date_string(), previous_load(landing, day.start.to_date_string())),
            land,
        )
        location = catalog.load_table(identifier).location()
        written = [*landed, *(again for _, again in restated)]
        self.report_lineage = table_lineage(self.hook, query, location, written)
        return self._landing_result(landed, restated, table=".".join(identifier), account=account)


def table_asset(warehouse: Any, table: Any, catalog_conn_id: Any) -> str | None:
    """The URI of the table's folder under a local warehouse of the default catalog (where pyiceberg's SQL
    catalog puts it), or None when it is only known at run time."""
    from airflow_provider_peerclick.iceberg.catalog import local_warehouse
    from airflow_provider_peerclick.iceberg.tables import table_identifier

    if catalog_conn_id is not None or is_templated([warehouse, table]):
        return None
    try:
        folder = local_warehouse(warehouse)
        namespace, name = table_identifier(table)
    except PeerClickInvalidArgumentError:
        return None  # the argument checks say what is wrong, where they belong
    return None if folder is None else f"file://{folder}/{namespace}/{name}"
