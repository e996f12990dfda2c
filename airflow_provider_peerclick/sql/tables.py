"""The report table and the load table: their columns, types and keys, created when absent.

A table's grain is fixed when it is created: whole account days, or hours (an ``hour`` column, the hour's
first instant with its UTC offset, so the hour a clock change repeats is two partitions). One table never
holds both, so no reader can sum a day twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks._arguments import ADDITIVE_COLUMNS
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.sql.dialects import Dialect
from airflow_provider_peerclick.sql.names import TableName, column_name, quote
from airflow_provider_peerclick.storage.columns import DIMENSION_KEYS, column_type

# Every row carries these, so one table holds many accounts and every day (or hour) of each.
ACCOUNT, DATE, HOUR = "account", "date", "hour"
PARTITION_COLUMNS = (ACCOUNT, DATE)
HOUR_PARTITION_COLUMNS = (ACCOUNT, DATE, HOUR)
_MONEY = frozenset(ADDITIVE_COLUMNS) - {"visits", "clicks", "conversions"}

LOAD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("table_name", "string"),
    (ACCOUNT, "string"),
    ("partition", "string"),  # the date, or the hour's first instant in ISO 8601
    (DATE, "date"),
    (HOUR, "time"),  # NULL for a day
    ("group_by", "string"),
    ("row_count", "integer"),
    ("totals", "string"),  # JSON, as PeerClick sent them
    ("query", "string"),  # JSON: the columns, filters and time zone asked for
    ("run_id", "string"),
    ("loaded_at", "time"),
)


def column_kind(key: str) -> str:
    """``integer``, ``money``, ``double`` or ``string``, from the provider's catalogue of PeerClick keys."""
    return "money" if key in _MONEY else column_type(key)


def key_column(group_by: str) -> str:
    """The column that names a row within its account day: the group-by's ID (or code)."""
    return column_name(DIMENSION_KEYS[group_by][0])


@dataclass(frozen=True)
class Partition:
    """One account day, or one hour of it in an hourly table."""

    date: str
    hour: str | None = None  # the hour's first instant, ISO 8601 with the report time zone's offset

    @classmethod
    def of(cls, query: ReportQuery, hourly: bool) -> Partition:
        """The partition a query lands in: its day, and its hour in an hourly table."""
        return cls(query.start.to_date_string(), query.start.isoformat() if hourly else None)

    @property
    def name(self) -> str:
        """The partition as logs and results name it: the hour in an hourly table, else the day."""
        return self.hour or self.date

    @property
    def keys(self) -> tuple[str, ...]:
        """The partition's values in the table's partition columns after the account."""
        return (self.date,) if self.hour is None else (self.date, self.hour)


@dataclass(frozen=True)
class ReportTable:
    """A report table and its load table on one database; ``hourly`` is the report table's grain."""

    table: TableName
    loads: TableName
    dialect: Dialect
    hourly: bool = False

    @property
    def partition_columns(self) -> tuple[str, ...]:
        """The columns that name a partition (with ``hour`` in an hourly table)."""
        return HOUR_PARTITION_COLUMNS if self.hourly else PARTITION_COLUMNS

    def create_statements(self, group_by: str, keys: Sequence[str]) -> list[tuple[TableName, str]]:
        """Both tables' definitions (for ``CREATE TABLE``): the report's columns are ``keys`` (PeerClick's
        names) under their SQL names, after the partition's."""
        kinds = zip(self.partition_columns, self._partition_kinds(), strict=True)
        columns = [
            *(f"{quote(name)} {self.dialect.type_of(kind)} NOT NULL" for name, kind in kinds),
            *(self.column_definition(key) for key in keys),
        ]
        primary = ", ".join(map(quote, (*self.partition_columns, key_column(group_by))))
        loads = [f"{quote(name)} {self.dialect.type_of(kind)}" for name, kind in LOAD_COLUMNS]
        load_key = ", ".join(map(quote, ("table_name", ACCOUNT, "partition")))
        return [
            (self.table, f"({', '.join(columns)}, PRIMARY KEY ({primary}))"),
            (self.loads, f"({', '.join(loads)}, PRIMARY KEY ({load_key}))"),
        ]

    def _partition_kinds(self) -> tuple[str, ...]:
        return ("string", "date", "time") if self.hourly else ("string", "date")

    def column_types(self, keys: Sequence[str]) -> tuple[str, ...]:
        """The SQL types of the partition's columns and the columns of ``keys``, in that order."""
        kinds = (*self._partition_kinds(), *map(column_kind, keys))
        return tuple(map(self.dialect.type_of, kinds))

    def column_definition(self, key: str) -> str:
        """A report column's SQL definition."""
        return f"{quote(column_name(key))} {self.dialect.type_of(column_kind(key))}"

    def columns(self, cursor: Any) -> tuple[str, ...]:
        """The report table's columns as the database has them now."""
        cursor.execute(f"SELECT * FROM {self.table.quoted} WHERE 1 = 0")  # noqa: S608 - a checked name
        names = tuple(description[0] for description in cursor.description)
        cursor.fetchall()
        return names

    def is_hourly(self, conn: Any) -> bool | None:
        """Whether the report table as it exists is hourly; None when it does not exist yet."""
        cursor = conn.cursor()
        try:
            return HOUR in self.columns(cursor) if _exists(cursor, self.table) else None
        finally:
            conn.rollback()  # only read, and PostgreSQL aborts the transaction of a failed SELECT

    def check_loads(self, conn: Any) -> None:
        """Refuse a load table that lacks columns this version records in it (one created by an earlier
        version): each load would fail at its commit, after the report's requests were spent."""
        cursor = conn.cursor()
        try:
            if not _exists(cursor, self.loads):
                return
            cursor.execute(f"SELECT * FROM {self.loads.quoted} WHERE 1 = 0")  # noqa: S608 - a checked name
            have = {description[0] for description in cursor.description}
            cursor.fetchall()
        finally:
            conn.rollback()  # only read
        missing = [name for name, _ in LOAD_COLUMNS if name not in have]
        if missing:
            raise PeerClickInvalidArgumentError(
                f"load_table: {self.loads} lacks the columns {missing} that loads are recorded with (it was "
                "created by an earlier version of this provider): name another load_table, or drop it"
            )

    def load_row(self, cursor: Any, account: str, partition: Partition) -> tuple[Any, ...] | None:
        """The load table's row of one partition: (row_count, totals, query), or None."""
        cursor.execute(
            f"SELECT row_count, totals, query FROM {self.loads.quoted} "  # noqa: S608 - checked names
            f"WHERE {self._load_key()}",
            (str(self.table), account, partition.name),
        )
        rows = cursor.fetchall()
        return tuple(rows[0]) if rows else None

    def _load_key(self) -> str:
        mark = self.dialect.placeholder
        return f"table_name = {mark} AND {quote(ACCOUNT)} = {mark} AND {quote('partition')} = {mark}"

    def delete_partition(self, cursor: Any, account: str, partition: Partition) -> None:
        """Delete a partition's rows and its load record (in the landing's transaction)."""
        mark = self.dialect.placeholder
        where = " AND ".join(f"{quote(name)} = {mark}" for name in self.partition_columns)
        rows = f"DELETE FROM {self.table.quoted} WHERE {where}"  # noqa: S608 - checked names
        cursor.execute(rows, (account, *partition.keys))
        load = f"DELETE FROM {self.loads.quoted} WHERE {self._load_key()}"  # noqa: S608 - checked names
        cursor.execute(load, (str(self.table), account, partition.name))

    def record_load(self, cursor: Any, values: Iterable[Any]) -> None:
        """Write the load table's row for a partition just landed."""
        self.dialect.insert(cursor, self.loads, [name for name, _ in LOAD_COLUMNS], [list(values)])

    def create(self, conn: Any, group_by: str, keys: Sequence[str]) -> None:
        """Create both tables if absent; a landing racing this one to it is no error."""
        cursor = conn.cursor()
        for table, definition in self.create_statements(group_by, keys):
            try:
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {table.quoted} {definition}")
                conn.commit()
            except Exception:
                conn.rollback()
                # PostgreSQL's IF NOT EXISTS can still fail when another session creates it at once.
                if not _exists(cursor, table):
                    raise


def _exists(cursor: Any, table: TableName) -> bool:
    try:
        cursor.execute(f"SELECT 1 FROM {table.quoted} WHERE 1 = 0")  # noqa: S608 - a checked name
        cursor.fetchall()
    except Exception:
        return False
    return True
