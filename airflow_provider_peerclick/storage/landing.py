"""Land one report in storage: stream its pages into a staged partition, reconcile, then commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pendulum
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.storage.columns import column_order
from airflow_provider_peerclick.storage.destination import asset_uri
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME, build_manifest, read_manifest
from airflow_provider_peerclick.storage.partitions import PartitionLayout, split_window
from airflow_provider_peerclick.storage.reconcile import Reconciler
from airflow_provider_peerclick.storage.row_formats import RowWriter, open_row_writer, require_row_format
from airflow_provider_peerclick.storage.staged_partition import Attempt, StagedPartition
from airflow_provider_peerclick.version_compat import get_hook_lineage_collector


@dataclass(frozen=True)
class LandedPartition:
    """What a landing committed; ``to_xcom()`` is small enough for XCom whatever the row count."""

    path: str
    manifest: str
    format: str
    row_count: int
    totals: dict[str, Any]
    files: list[dict[str, Any]] = field(default_factory=list)
    partition: str = ""
    columns: tuple[str, ...] = ()

    def to_xcom(self) -> dict[str, Any]:
        """The partition as the task's XCom result lists it."""
        return {
            "partition": self.partition,
            "path": self.path,
            "manifest": self.manifest,
            "format": self.format,
            "row_count": self.row_count,
            "totals": self.totals,
            "files": self.files,
        }


def partition_key(query: ReportQuery, layout: PartitionLayout | None = None) -> str:
    """
    The partition folder of ``query``: by default ``date=YYYY-MM-DD`` of the start in the report's time
    zone for a whole day, plus ``/hour=HH`` for an hour (see ``PartitionLayout``).
    """
    return (layout or PartitionLayout()).key(query)


def land_report(
    pages: Iterable[ReportPage],
    *,
    base: ObjectStoragePath,
    query: ReportQuery,
    row_format: str = "jsonl",
    layout: PartitionLayout | None = None,
    reason: str = "window",
    attempt: Attempt | None = None,
) -> LandedPartition:
    """
    Write ``pages`` (the report ``query`` describes: one partition of ``split_window``) to
    ``{base}/{group_by}/{partition}/part-{run}-0000.{ext}``, then commit its manifest.

    Rows go straight from each page to the file, so memory holds one page. The partition is replaced only
    once every row is written and the rows reconcile with the report's row count and totals; otherwise the
    error propagates and the previous partition, if any, stays as it was. ``attempt`` (the task try
    landing it) lets a later try sweep what this one leaves if it is killed.
    """
    row_format = require_row_format(row_format)
    partition = partition_key(query, layout)
    directory = base / query.group_by / partition
    reconciler = Reconciler(query.columns)
    fetched_at = pendulum.now("UTC")
    with StagedPartition(directory, attempt=attempt) as staged:
        suffix = f"0000.{row_format}"
        with staged.open_part(suffix) as sink:
            writer: RowWriter | None = None
            columns: tuple[str, ...] = ()
            for page in pages:
                reconciler.add_page(page)
                if writer is None and page.rows:
                    columns = column_order(query.group_by, query.columns, page.rows[0])
                    writer = open_row_writer(row_format, sink, columns)
                if writer is not None:
                    writer.write_rows(page.rows)
            if writer is None:
                columns = column_order(query.group_by, query.columns, None)
                writer = open_row_writer(row_format, sink, columns)
            writer.finish()
        reconciler.check()
        assert reconciler.totals is not None  # check() raised otherwise
        files = [staged.file_entry(suffix, sink, reconciler.rows)]
        staged.commit(
            build_manifest(
                query=query,
                partition=partition,
                row_format=row_format,
                columns=columns,
                row_count=reconciler.rows,
                totals=reconciler.totals,
                files=files,
                fetched_at=fetched_at,
                reconciled=reconciler.reconciled,
                not_returned=reconciler.not_returned,
                previous=read_manifest(directory),
                reason=reason,
            )
        )
    _wrote(base, query.group_by)
    return LandedPartition(
        path=str(directory),
        manifest=str(directory / MANIFEST_NAME),
        format=row_format,
        row_count=reconciler.rows,
        totals=reconciler.totals,
        files=files,
        partition=partition,
        columns=columns,
    )


def _wrote(base: ObjectStoragePath, group_by: str) -> None:
    # Hook-level lineage: a @task that lands with this module gets the dataset as its output (the
    # report it read is the hook's input); the report tasks' own lineage stands above both.
    uri = asset_uri(base, group_by)
    if uri is not None:
        get_hook_lineage_collector().add_output_asset(context=base, uri=uri)


def land_window(
    fetch: Callable[[ReportQuery], Iterable[ReportPage]],
    *,
    base: ObjectStoragePath,
    query: ReportQuery,
    row_format: str = "jsonl",
    layout: PartitionLayout | None = None,
    attempt: Attempt | None = None,
) -> list[LandedPartition]:
    """
    Land every partition of the window ``query`` (see ``split_window``), one report each, in time order.

    ``fetch`` returns the pages of one partition's report; they are consumed before the next is asked for,
    so memory holds one page whatever the window. Each partition commits on its own: a failure leaves the
    partitions before it new, the rest as they were, and a rerun lands them all again.
    """
    return [
        land_report(
            fetch(piece), base=base, query=piece, row_format=row_format, layout=layout, attempt=attempt
        )
        for piece in split_window(query)
    ]
