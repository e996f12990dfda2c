"""Land one report partition (an account day, or an hour of an hourly table) in a table: delete the
partition, insert its rows, record the load, all in one transaction; the rows must reconcile with
PeerClick's totals before it commits."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

import pendulum

from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.sql.names import column_name
from airflow_provider_peerclick.sql.schema_changes import RowPlan
from airflow_provider_peerclick.sql.tables import Partition, ReportTable
from airflow_provider_peerclick.storage.columns import column_order
from airflow_provider_peerclick.storage.errors import PeerClickStorageError
from airflow_provider_peerclick.storage.reconcile import Reconciler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableLanding:
    """Where and as whom a task lands: one table, one account, one run."""

    target: ReportTable
    account: str
    run_id: str
    schema_changes: str = "evolve"


@dataclass(frozen=True)
class LandedPartition:
    """What one partition's transaction committed."""

    partition: Partition
    row_count: int
    totals: dict[str, Any]
    columns: tuple[str, ...]
    types: tuple[str, ...] = ()

    def to_xcom(self) -> dict[str, Any]:
        """The partition as the task's XCom result lists it."""
        hour = {} if self.partition.hour is None else {"hour": self.partition.hour}
        return {"date": self.partition.date, **hour, "row_count": self.row_count, "totals": self.totals}


def previous_load(conn: Any, landing: TableLanding, partition: Partition) -> Mapping[str, Any] | None:
    """The load table's record of ``partition`` in the manifest's shape (``row_count``, ``totals``,
    ``query``), which is what a lookback compares PeerClick's numbers with."""
    cursor = conn.cursor()
    try:
        row = landing.target.load_row(cursor, landing.account, partition)
    finally:
        conn.rollback()  # only read: end the transaction a driver may have begun
    if row is None:
        return None
    row_count, totals, query = row
    return {"row_count": row_count, "totals": json.loads(totals), "query": json.loads(query)}


def land_partition(
    conn: Any, pages: Iterator[ReportPage], landing: TableLanding, query: ReportQuery
) -> LandedPartition:
    """
    Replace the partition ``query`` covers (an account day, or an hour in an hourly table) with ``pages``
    (its report) in one transaction.

    The first page is fetched before the transaction begins, so the partition's lock is never held
    waiting for PeerClick's rate limit; the rest stream into the transaction a page at a time. On any
    error, or a kill, the transaction rolls back and readers see the day as it was.
    """
    target, dialect = landing.target, landing.target.dialect
    partition = Partition.of(query, target.hourly)
    first = next(pages, None)
    if first is None:
        raise PeerClickStorageError(f"PeerClick sent no report page for {partition.name}; nothing written.")
    keys = column_order(query.group_by, query.columns, first.rows[0] if first.rows else None)
    cursor = conn.cursor()
    try:
        plan = RowPlan.of(landing.schema_changes, keys, target.columns(cursor), target.partition_columns)
        _evolve(conn, cursor, landing, plan)
        conn.commit()  # end the reads: the partition's transaction begins with its lock
        dialect.begin(cursor, f"{target.table}|{landing.account}|{partition.name}")
        target.delete_partition(cursor, landing.account, partition)
        reconciler = Reconciler(query.columns)
        prefix = (landing.account, *partition.keys)
        for page in chain([first], pages):
            reconciler.add_page(page)
            dialect.insert(cursor, target.table, plan.columns, plan.values(page.rows, prefix))
        reconciler.check()
        assert reconciler.totals is not None  # check() raised otherwise
        target.record_load(
            cursor,
            (
                str(target.table),
                landing.account,
                partition.name,
                partition.date,
                partition.hour,
                query.group_by,
                reconciler.rows,
                json.dumps(reconciler.totals, sort_keys=True),
                json.dumps({"columns": list(query.columns), "filters": dict(query.filters), "tz": query.tz}),
                landing.run_id,
                pendulum.now("UTC").isoformat(),
            ),
        )
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    if plan.discarded:
        log.warning("schema_changes='discard': dropped columns %s that the table lacks", list(plan.discarded))
    types = target.column_types(plan.keys)
    return LandedPartition(partition, reconciler.rows, reconciler.totals, plan.columns, types)


def _evolve(conn: Any, cursor: Any, landing: TableLanding, plan: RowPlan) -> None:
    """Add the columns PeerClick started sending, each in a short transaction of its own before the
    partition's: PostgreSQL's ALTER TABLE locks out readers until commit, which must not last a landing."""
    target = landing.target
    for key in plan.added:
        conn.commit()
        try:
            cursor.execute(f"ALTER TABLE {target.table.quoted} ADD COLUMN {target.column_definition(key)}")
            conn.commit()
        except Exception:
            conn.rollback()
            # A landing of another day may have added it first; anything else is an error.
            if column_name(key) in target.columns(cursor):
                continue
            raise
        log.info("schema_changes='evolve': added column %s to %s", key, target.table)
