"""Parquet rows through pyarrow's ParquetWriter (the ``parquet`` extra), in bounded row groups."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.columns import RowShape, column_type
from airflow_provider_peerclick.storage.errors import PeerClickStorageError

ROW_GROUP_ROWS = 10_000

_ARROW_TYPES = {"integer": pa.int64(), "double": pa.float64(), "string": pa.string()}


def _integer(column: str, value: Any) -> int | None:
    # pyarrow silently truncates 1.5 to 1 in an int64 column; refuse instead of losing data.
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise PeerClickStorageError(f"Column {column!r} should hold whole numbers but a row has {value!r}")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class ParquetRowWriter:
    """
    Buffers at most ``ROW_GROUP_ROWS`` rows, then writes them as one row group.

    Row groups are cut by row count rather than by API page, so the file's bytes do not depend on the page
    size the report was fetched with.
    """

    def __init__(self, sink: HashingSink, shape: RowShape, row_group_rows: int | None = None) -> None:
        self._shape = shape
        self._schema = pa.schema([(column, _ARROW_TYPES[column_type(column)]) for column in shape.columns])
        self._writer = pq.ParquetWriter(sink, self._schema)
        self._row_group_rows = row_group_rows or ROW_GROUP_ROWS
        self._pending: list[list[Any]] = []

    def write_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            self._pending.append(self._shape.values(row))
            if len(self._pending) >= self._row_group_rows:
                self._write_pending()

    def finish(self) -> None:
        if self._pending:
            self._write_pending()
        self._writer.close()

    def _write_pending(self) -> None:
        arrays = []
        for index, field in enumerate(self._schema):
            values = [row[index] for row in self._pending]
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
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self._pending.clear()
