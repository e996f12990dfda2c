"""Parquet rows through pyarrow's ParquetWriter (the ``parquet`` extra), in bounded row groups."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.columns import RowShape, column_type
from airflow_provider_peerclick.storage.errors import PeerClickStorageError

ROW_GROUP_ROWS = 10_000

_ARROW_TYPES = {"integer": pa.int64(), "double": pa.float64(), "string": pa.string()}
# What Arrow may convert in an integer column; a float there (which it would truncate) takes _integer's way.
_INTEGER_KINDS = frozenset({int, type(None)})


def _integer(column: str, value: Any) -> int | None:
    # pyarrow silently truncates 1.5 to 1 in an int64 column; refuse instead of losing data.
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise PeerClickStorageError(f"Column {column!r} should hold whole numbers but a row has {value!r}")


class TableFrame(Protocol):
    """What a table format makes of each row group before it is written (columns added or renamed)."""

    def schema(self, rows: pa.Schema) -> pa.Schema:
        """The file's schema for rows of schema ``rows``."""

    def apply(self, table: pa.Table) -> pa.Table:
        """A row group as the table format writes it."""


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class ParquetRowWriter:
    """
    Buffers at most ``ROW_GROUP_ROWS`` rows, then writes them as one row group.

    Row groups are cut by row count rather than by API page, so the file's bytes do not depend on the page
    size the report was fetched with. Rows wait as the dicts they came in (reshaped only when their keys
    differ from the header's) and go to Arrow as they are (``Table.from_pylist``), unless a value is not of
    its column's type: then the group is converted value by value (pyarrow would truncate 1.5 to 1 in an
    integer column, so those are checked first).
    """

    def __init__(
        self,
        sink: HashingSink,
        shape: RowShape,
        row_group_rows: int | None = None,
        frame: TableFrame | None = None,
    ) -> None:
        self._shape = shape
        self._schema = pa.schema([(column, _ARROW_TYPES[column_type(column)]) for column in shape.columns])
        self._frame = frame
        self._writer = pq.ParquetWriter(sink, self._schema if frame is None else frame.schema(self._schema))
        self._row_group_rows = row_group_rows or ROW_GROUP_ROWS
        self._pending: list[Mapping[str, Any]] = []
        self._integer_columns = [field.name for field in self._schema if field.type == pa.int64()]

    def write_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Buffer ``rows``, writing a row group whenever enough are pending."""
        if self._shape.matches(rows):
            self._pending += rows
        else:
            columns = self._shape.columns
            self._pending += (dict(zip(columns, self._shape.values(row), strict=True)) for row in rows)
        while len(self._pending) >= self._row_group_rows:
            self._write_pending()

    def finish(self) -> None:
        """Write the last row group and the footer."""
        if self._pending:
            self._write_pending()
        self._writer.close()

    def _write_pending(self) -> None:
        group, self._pending = self._pending[: self._row_group_rows], self._pending[self._row_group_rows :]
        try:
            table = self._as_typed(group)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            table = None  # a value of another type than its column's: converted one by one below
        table = self._converted(group) if table is None else table
        self._writer.write_table(table if self._frame is None else self._frame.apply(table))

    def _as_typed(self, group: list[Mapping[str, Any]]) -> pa.Table | None:
        """The rows as Arrow converts them, when every integer column holds only integers (or None)."""
        for name in self._integer_columns:
            if not set(map(type, map(itemgetter(name), group))) <= _INTEGER_KINDS:
                return None
        return pa.Table.from_pylist(group, schema=self._schema)

    def _converted(self, group: list[Mapping[str, Any]]) -> pa.Table:
        arrays = []
        for field in self._schema:
            values = [row[field.name] for row in group]
            if field.type == pa.int64():
                values = [_integer(field.name, value) for value in values]
            elif field.type == pa.string():
                values = [_text(value) for value in values]
            try:
                arrays.append(pa.array(values, type=field.type))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise PeerClickStorageError(
                    f"Column {field.name!r} cannot be written as {field.type}: {exc}"
                ) from None
        return pa.Table.from_arrays(arrays, schema=self._schema)
