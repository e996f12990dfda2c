"""The report table and the load table: their columns, types and keys, created when absent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_peerclick.hooks._arguments import ADDITIVE_COLUMNS
from airflow_provider_peerclick.sql.dialects import Dialect
from airflow_provider_peerclick.sql.names import TableName, column_name, quote
from airflow_provider_peerclick.storage.columns import DIMENSION_KEYS, column_type

# Every row carries these, so one table holds many accounts and every day of each.
ACCOUNT, DATE = "account", "date"
PARTITION_COLUMNS = (ACCOUNT, DATE)
_MONEY = frozenset(ADDITIVE_COLUMNS) - {"visits", "clicks", "conversions"}

LOAD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("table_name", "string"),
    (ACCOUNT, "string"),
    (DATE, "date"),
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
class ReportTable:
    """A report table and its load table on one database."""

    table: TableName
    loads: TableName
    dialect: Dialect

    def create_statements(self, group_by: str, keys: Sequence[str]) -> list[tuple[TableName, str]]:
        """Both tables' definitions (for ``CREATE TABLE``): the report's columns are ``keys`` (PeerClick's
        names) under their SQL names, after the account and date."""
        columns = [
            f"{quote(ACCOUNT)} {self.dialect.type_of('string')} NOT NULL",
            f"{quote(DATE)} {self.dialect.type_of('date')} NOT NULL",
            *(self.column_definition(key) for key in keys),
        ]
        primary = ", ".join(map(quote, (*PARTITION_COLUMNS, key_column(group_by))))
        loads = [f"{quote(name)} {self.dialect.type_of(kind)}" for name, kind in LOAD_COLUMNS]
        load_key = ", ".join(map(quote, ("table_name", ACCOUNT, DATE)))
        return [
            (self.table, f"({', '.join(columns)}, PRIMARY KEY ({primary}))"),
            (self.loads, f"({', '.join(loads)}, PRIMARY KEY ({load_key}))"),
        ]

    def column_types(self, keys: Sequence[str]) -> tuple[str, ...]:
        """The SQL types of the account, the date and the columns of ``keys``, in that order."""
        kinds = ("string", "date", *map(column_kind, keys))
        return tuple(map(self.dialect.type_of, kinds))

    def column_definition(self, key: str) -> str:
        return f"{quote(column_name(key))} {self.dialect.type_of(column_kind(key))}"

    def columns(self, cursor: Any) -> tuple[str, ...]:
        """The report table's columns as the database has them now."""
        cursor.execute(f"SELECT * FROM {self.table.quoted} WHERE 1 = 0")  # noqa: S608 - a checked name
        names = tuple(description[0] for description in cursor.description)
        cursor.fetchall()
        return names

    def load_row(self, cursor: Any, account: str, day: str) -> tuple[Any, ...] | None:
        """The load table's row of one partition: (row_count, totals, query), or None."""
        mark = self.dialect.placeholder
        cursor.execute(
            f"SELECT row_count, totals, query FROM {self.loads.quoted} "  # noqa: S608 - checked names
            f"WHERE table_name = {mark} AND {quote(ACCOUNT)} = {mark} AND {quote(DATE)} = {mark}",
            (str(self.table), account, day),
        )
        rows = cursor.fetchall()
        return tuple(rows[0]) if rows else None

    def delete_partition(self, cursor: Any, account: str, day: str) -> None:
        mark = self.dialect.placeholder
        where = f"{quote(ACCOUNT)} = {mark} AND {quote(DATE)} = {mark}"
        cursor.execute(f"DELETE FROM {self.table.quoted} WHERE {where}", (account, day))  # noqa: S608
        cursor.execute(
            f"DELETE FROM {self.loads.quoted} WHERE table_name = {mark} AND {where}",  # noqa: S608
            (str(self.table), account, day),
        )

    def record_load(self, cursor: Any, values: Iterable[Any]) -> None:
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
