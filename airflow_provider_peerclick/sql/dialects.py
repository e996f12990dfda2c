"""What differs between databases: column types, placeholders, how a transaction starts and locks its
partition, and how rows go in (PostgreSQL's COPY, executemany elsewhere)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from airflow_provider_peerclick.sql.names import TableName, quote

# The SQL type of each kind of column (see tables.column_kind), per dialect.
_TYPES: dict[str, dict[str, str]] = {
    # NUMERIC without a scale keeps every digit PeerClick sends, so SUM(revenue) equals its total exactly.
    "postgres": {"integer": "BIGINT", "money": "NUMERIC", "double": "DOUBLE PRECISION", "string": "TEXT"},
    "sqlite": {"integer": "INTEGER", "money": "NUMERIC", "double": "REAL", "string": "TEXT"},
    # Elsewhere NUMERIC alone may mean NUMERIC(18, 0) (SQL Server, MySQL): say the scale.
    "generic": {
        "integer": "BIGINT",
        "money": "NUMERIC(24, 6)",
        "double": "DOUBLE PRECISION",
        "string": "VARCHAR(4000)",
    },
}
_DATE_TYPE = {"postgres": "DATE", "sqlite": "TEXT", "generic": "DATE"}
_TIME_TYPE = {"postgres": "TIMESTAMP WITH TIME ZONE", "sqlite": "TEXT", "generic": "TIMESTAMP"}
_BATCH_ROWS = 1_000
_SQLITE_BUSY_MS = 600_000
# COPY's CSV NULL marker: an unquoted \N (an empty field stays an empty string).
_COPY_NULL = "\\N"


class Dialect:
    """One database's SQL, for a DB-API connection that ``hook`` (a common.sql ``DbApiHook``) opened."""

    def __init__(self, hook: Any) -> None:
        conn_type = getattr(hook, "conn_type", "")
        self.name = conn_type if conn_type in ("postgres", "sqlite") else "generic"
        self.hook = hook
        self.placeholder = {"postgres": "%s", "sqlite": "?"}.get(self.name) or hook.placeholder

    def type_of(self, kind: str) -> str:
        """The database's column type for a kind of report column: ``integer``, ``money``, ``double``,
        ``string``, ``date`` or ``time``."""
        if kind == "date":
            return _DATE_TYPE[self.name]
        if kind == "time":
            return _TIME_TYPE[self.name]
        return _TYPES[self.name][kind]

    def connect(self) -> Any:
        """A DB-API connection from the Airflow hook, whose transactions this landing begins itself."""
        conn = self.hook.get_conn()
        if self.name == "sqlite":
            # Transactions are begun explicitly (BEGIN IMMEDIATE), never implicitly by the sqlite3 module,
            # whose implicit ones leave DDL outside.
            conn.isolation_level = None
            # sqlite3 gives up on a locked database after 5 s; a landing of the same file may hold the
            # write lock for as long as its report takes to page.
            conn.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_MS}")
        else:
            self.hook.set_autocommit(conn, False)
        return conn

    def begin(self, cursor: Any, lock_key: str) -> None:
        """Start the partition's transaction and hold its lock until commit, so two landings of one
        partition run one after the other: the second deletes what the first inserted."""
        if self.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")  # the database's write lock, taken now rather than later
        elif self.name == "postgres":
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (lock_key,))

    def insert(self, cursor: Any, table: TableName, columns: Sequence[str], rows: list[list[Any]]) -> None:
        """Insert ``rows`` into ``table``: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""
        if not rows:
            return
        names = ", ".join(map(quote, columns))
        if self.name == "postgres":
            copy = f"COPY {table.quoted} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            self._copy(cursor, copy, rows)
            return
        marks = ", ".join([self.placeholder] * len(columns))
        statement = f"INSERT INTO {table.quoted} ({names}) VALUES ({marks})"  # noqa: S608 - checked names
        for first in range(0, len(rows), _BATCH_ROWS):
            cursor.executemany(statement, rows[first : first + _BATCH_ROWS])

    @staticmethod
    def _copy(cursor: Any, statement: str, rows: list[list[Any]]) -> None:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(
            [_COPY_NULL if value is None else value for value in row] for row in rows
        )
        if hasattr(cursor, "copy_expert"):  # psycopg2
            text.seek(0)
            cursor.copy_expert(statement, text)
        else:  # psycopg 3
            with cursor.copy(statement) as copy:
                copy.write(text.getvalue())


def plain(value: Any) -> Any:
    """A value a DB-API driver takes: nested lists and objects (a column PeerClick added) become JSON."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return value
