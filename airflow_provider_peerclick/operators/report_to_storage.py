"""PeerClickReportToStorageOperator: land one report as a partition in object storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseOperator, ObjectStoragePath

from airflow_provider_peerclick import arguments
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.report_window import REPORT_TEMPLATE_FIELDS, ReportArgumentsMixin
from airflow_provider_peerclick.storage import (
    asset_uri,
    check_destination_text,
    land_report,
    require_row_format,
    resolve_destination,
)
from airflow_provider_peerclick.tasks import (
    PeerClickTaskMixin,
    check_required_now,
    is_templated,
)

if TYPE_CHECKING:
    from airflow.sdk import Context


class PeerClickReportToStorageOperator(ReportArgumentsMixin, PeerClickTaskMixin, BaseOperator):
    """
    Fetch a report page by page into ``{destination}/{group_by}/date={ds}/part-0000.{ext}`` plus a
    ``_manifest.json``, and return ``{"path", "manifest", "format", "row_count", "totals", "files"}`` to XCom
    (``files``: name, rows, bytes and sha256 of each data file).

    ``ds`` is the start date in ``tz``; a start that is not midnight adds ``/hour=HH``. The partition is
    replaced only after every row is written and the rows add up to the report's row count and totals; a
    failed run leaves the previous partition as it was and no new files. A rerun of the same query writes
    byte-identical data files. The manifest is written last: a partition folder without one is incomplete.

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
    :param peerclick_conn_id: the PeerClick connection.
    :param storage_conn_id: the Airflow connection ObjectStoragePath uses for ``destination``.

    Outlets: an ``Asset`` with URI ``{destination}/{group_by}`` is declared when both are plain values at
    DAG parse time, so downstream DAGs can be scheduled on it. A templated destination or group_by is only
    known at run time, when no outlet can be declared any more: pass ``outlets=[Asset(...)]`` yourself.

    Runs in the ``peerclick_reports`` pool by default, throttled to 1 request/s per pool slot.
    """

    pool_kind = "reports"
    template_fields = (*REPORT_TEMPLATE_FIELDS, "destination", "format", "storage_conn_id")
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
        peerclick_conn_id: str = PeerClickHook.default_conn_name,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("pool", self.default_pool(peerclick_conn_id))
        check_required_now(group_by, arguments.group_by_name)
        check_required_now(destination, check_destination_text)
        uri = asset_uri(destination, group_by) if not is_templated(group_by) else None
        if uri is not None:
            outlets = list(kwargs.pop("outlets", None) or [])
            kwargs["outlets"] = [*outlets, Asset(uri)]
        super().__init__(**kwargs)
        self.set_report_arguments(
            group_by=group_by, start=start, end=end, columns=columns, filters=filters, tz=tz
        )
        check_required_now(format, require_row_format)
        self.destination = destination
        self.format = format
        self.page_size = arguments.page_size(page_size)
        self.peerclick_conn_id = peerclick_conn_id
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        # Everything that can be checked without PeerClick is checked first, so a bad destination or a
        # missing extra costs no request out of the account's limit.
        base = resolve_destination(self.destination, self.storage_conn_id)
        row_format = require_row_format(self.format)
        query = self.resolve_report_query(context)
        self.log.info(
            "Landing the PeerClick report by %s from %s to %s (%s) as %s under %s",
            query["group_by"],
            query["start"],
            query["end"],
            query["tz"],
            row_format,
            base,
        )
        landed = land_report(
            self.hook.iter_report_pages(**query, page_size=self.page_size),
            base=base,
            query=arguments.ReportQuery.build(**query),
            row_format=row_format,
        )
        self.log.info("Committed %d rows to %s", landed.row_count, landed.path)
        return landed.to_xcom()
