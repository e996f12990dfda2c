"""Land one account day in an Iceberg table: write its rows as a Parquet data file, reconcile them with
PeerClick's totals, then replace the day in one commit (delete the day's files, add the new one), with
the load's facts in the snapshot summary. A reader sees the table at its last snapshot, whatever happens
before the commit: a killed landing leaves only a data file no snapshot names."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

import pendulum
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.iceberg.data_files import PartitionFrame, data_file_path
from airflow_provider_peerclick.iceberg.tables import add_columns, open_table, table_columns
from airflow_provider_peerclick.sql.schema_changes import RowPlan
from airflow_provider_peerclick.sql.tables import ACCOUNT, DATE, PARTITION_COLUMNS
from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.columns import RowShape, column_order
from airflow_provider_peerclick.storage.errors import PeerClickStorageError
from airflow_provider_peerclick.storage.parquet_rows import ParquetRowWriter
from airflow_provider_peerclick.storage.reconcile import Reconciler

log = logging.getLogger(__name__)

# The snapshot summary's keys: the manifest's facts, so a reader (or a lookback) can audit each load.
PROPERTY = "peerclick."
# Landings of other days commit to the same table; each retries on a conflict, against the new metadata.
COMMIT_ATTEMPTS = 20


@dataclass(frozen=True)
class IcebergLanding:
    """Where and as whom a task lands: one table of one catalog, one account, one run."""

    catalog: Any
    identifier: tuple[str, str]
    account: str
    run_id: str
    schema_changes: str = "evolve"


@dataclass(frozen=True)
class LandedDay:
    """What one day's commit added."""

    date: str
    row_count: int
    totals: dict[str, Any]
    columns: tuple[str, ...]
    snapshot_id: int | None
    types: tuple[str, ...] = ()  # Iceberg's, of ``columns``

    def to_xcom(self) -> dict[str, Any]:
        """The day as the task's XCom result lists it."""
        return {
            "date": self.date,
            "row_count": self.row_count,
            "totals": self.totals,
            "snapshot_id": self.snapshot_id,
        }


def previous_load(landing: IcebergLanding, day: str) -> Mapping[str, Any] | None:
    """The newest snapshot's record of ``day`` in the manifest's shape (``row_count``, ``totals``,
    ``query``), or None when the table or the day was never landed."""
    from pyiceberg.exceptions import NoSuchTableError

    try:
        table = landing.catalog.load_table(landing.identifier)
    except NoSuchTableError:
        return None
    for snapshot in sorted(
        table.snapshots(), key=lambda snapshot: snapshot.sequence_number or 0, reverse=True
    ):
        summary = snapshot.summary
        facts = summary.additional_properties if summary is not None else {}
        if facts.get(PROPERTY + ACCOUNT) == landing.account and facts.get(PROPERTY + DATE) == day:
            return {
                "row_count": int(facts[PROPERTY + "row_count"]),
                "totals": json.loads(facts[PROPERTY + "totals"]),
                "query": json.loads(facts[PROPERTY + "query"]),
            }
    return None


def land_day(landing: IcebergLanding, pages: Iterator[ReportPage], query: ReportQuery) -> LandedDay:
    """Replace the account day ``query`` covers with ``pages`` (its report) in one commit."""
    day = query.start.date()
    first = next(pages, None)
    if first is None:
        raise PeerClickStorageError(f"PeerClick sent no report page for {day}; nothing was written.")
    keys = column_order(query.group_by, query.columns, first.rows[0] if first.rows else None)
    table = open_table(landing.catalog, landing.identifier, keys)
    plan = RowPlan.of(landing.schema_changes, keys, table_columns(table), PARTITION_COLUMNS)
    if plan.added:
        _commit(lambda: add_columns(_reload(landing), plan.added))
        log.info(
            "schema_changes='evolve': added columns %s to %s", list(plan.added), ".".join(landing.identifier)
        )
    path = data_file_path(table.location(), landing.account, day)
    committed = False
    try:
        reconciler = Reconciler(query.columns)
        with table.io.new_output(path).create(overwrite=False) as stream:
            sink = HashingSink(stream)
            writer = ParquetRowWriter(sink, RowShape(plan.keys), frame=PartitionFrame(landing.account, day))
            for page in chain([first], pages):
                reconciler.add_page(page)
                writer.write_rows(_kept(page.rows, plan))
            writer.finish()
        reconciler.check()
        assert reconciler.totals is not None  # check() raised otherwise
        facts = {
            ACCOUNT: landing.account,
            DATE: day.isoformat(),
            "row_count": str(reconciler.rows),
            "totals": json.dumps(reconciler.totals, sort_keys=True),
            "query": json.dumps(
                {"columns": list(query.columns), "filters": dict(query.filters), "tz": query.tz}
            ),
            "group_by": query.group_by,
            "run_id": landing.run_id,
            "data_file": path,
            "loaded_at": pendulum.now("UTC").isoformat(),
        }
        properties = {PROPERTY + key: value for key, value in facts.items()}
        table = _commit(lambda: _replace_day(landing, day.isoformat(), path, properties))
        committed = True
    finally:
        if not committed and not _is_live(landing, path):
            _remove(table, path)
    if plan.discarded:
        log.warning("schema_changes='discard': dropped columns %s that the table lacks", list(plan.discarded))
    # The table as our commit left it: its snapshot is ours, even when another landing commits next.
    snapshot, schema = table.current_snapshot(), table.schema()
    types = tuple(str(schema.find_field(name).field_type) for name in plan.columns)
    snapshot_id = None if snapshot is None else snapshot.snapshot_id
    return LandedDay(day.isoformat(), reconciler.rows, reconciler.totals, plan.columns, snapshot_id, types)


def _kept(rows: list[dict[str, Any]], plan: RowPlan) -> list[dict[str, Any]]:
    if not plan.discarded:
        return rows
    return [{key: row.get(key) for key in plan.keys} for row in rows]


def _reload(landing: IcebergLanding) -> Any:
    return landing.catalog.load_table(landing.identifier)


def _replace_day(landing: IcebergLanding, day: str, path: str, properties: dict[str, str]) -> Any:
    """One OVERWRITE snapshot that removes the day's data files and adds ``path``: no snapshot, not even
    one a reader travels back to, holds the day twice or lacks it. Returns the table as committed."""
    from pyiceberg.expressions import And, EqualTo
    from pyiceberg.io.pyarrow import parquet_file_to_data_file
    from pyiceberg.table import TableProperties

    table = _reload(landing)
    # pyiceberg's expressions take (term, literal) positionally; their typing says otherwise.
    day_filter = And(EqualTo(ACCOUNT, landing.account), EqualTo(DATE, day))  # type: ignore[call-arg, arg-type]
    replaced = [task.file for task in table.scan(row_filter=day_filter).plan_files()]
    with table.transaction() as transaction:
        if transaction.table_metadata.name_mapping() is None:
            # Our files carry no Iceberg field IDs: readers map their columns by name, as add_files does.
            mapping = transaction.table_metadata.schema().name_mapping.model_dump_json()
            transaction.set_properties(**{TableProperties.DEFAULT_NAME_MAPPING: mapping})
        added = parquet_file_to_data_file(table.io, transaction.table_metadata, path)
        with transaction.update_snapshot(snapshot_properties=properties).overwrite() as overwrite:
            # The day is what the overwrite claims: a commit that lands first in another partition is
            # no conflict (pyiceberg retries against it), one that added files to this day is.
            overwrite.delete_by_predicate(day_filter)
            for data_file in replaced:
                overwrite.delete_data_file(data_file)
            overwrite.append_data_file(added)
    return table  # pyiceberg updates it in place with the metadata the commit wrote


def _commit(change: Any) -> Any:
    """Run ``change`` (which reloads the table first) until it commits: another landing's commit between
    our reload and ours fails ours (or, for the same day, fails its validation), and the next try starts
    from the metadata that one left."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    for attempt in Retrying(
        retry=retry_if_exception_type((CommitFailedException, ValidationException)),
        stop=stop_after_attempt(COMMIT_ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.05, max=2),
        reraise=True,
    ):
        with attempt:
            return change()
    raise AssertionError("unreachable: tenacity reraises the last failure")


def _is_live(landing: IcebergLanding, path: str) -> bool:
    """Whether the table's current snapshot is the one that added ``path``: a commit whose answer was
    lost may have gone through, and then the file is the day's data."""
    try:
        snapshot = _reload(landing).current_snapshot()
    except Exception:
        return True  # unknown: keeping an unnamed file is harmless, removing a live one is not
    summary = None if snapshot is None else snapshot.summary
    return summary is not None and summary.additional_properties.get(PROPERTY + "data_file") == path


def _remove(table: Any, path: str) -> None:
    try:
        table.io.delete(path)
    except FileNotFoundError:
        pass
    except Exception:
        log.warning("Could not remove the uncommitted data file %s", path, exc_info=True)
