"""Streaming row writers: JSON Lines (default), CSV and Parquet, one page of rows at a time."""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

if TYPE_CHECKING:
    from airflow_provider_peerclick.storage.checksum import HashingSink
    from airflow_provider_peerclick.storage.columns import RowShape

ROW_FORMATS = ("jsonl", "csv", "parquet")
PARQUET_MISSING = (
    "format 'parquet' needs pyarrow, which is not installed: "
    "pip install 'airflow-provider-peerclick[parquet]', or choose format 'jsonl' or 'csv'"
)


class RowWriter(Protocol):
    """Writes report rows into a sink in one file format."""

    def write_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write ``rows`` (dicts with the header's keys)."""

    def finish(self) -> None:
        """Write what the format needs at the end (Parquet's footer); the sink stays open."""


def require_row_format(name: Any) -> str:
    """Check a format name, and that what it needs is installed, before anything is fetched."""
    if name not in ROW_FORMATS:
        raise PeerClickInvalidArgumentError(f"format: got {name!r}; allowed: {', '.join(ROW_FORMATS)}")
    if name == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise PeerClickInvalidArgumentError(PARQUET_MISSING)
    return str(name)


def open_row_writer(name: str, sink: HashingSink, columns: Iterable[str]) -> RowWriter:
    """A writer of format ``name`` (``jsonl``, ``csv`` or ``parquet``) into ``sink``, with ``columns`` as
    header."""
    from airflow_provider_peerclick.storage.columns import RowShape  # DAG files only check format names

    shape = RowShape(columns)
    if name == "jsonl":
        return JsonLinesWriter(sink, shape)
    if name == "csv":
        return CsvWriter(sink, shape)
    require_row_format(name)
    from airflow_provider_peerclick.storage.parquet_rows import ParquetRowWriter

    return ParquetRowWriter(sink, shape)


class JsonLinesWriter:
    """One JSON object per line, keys in column order, absent values as null."""

    def __init__(self, sink: HashingSink, shape: RowShape) -> None:
        self._sink = sink
        self._shape = shape
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

    def write_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write each row as one JSON line."""
        if self._shape.matches(rows):
            lines = list(map(self._encode, rows))
        else:
            columns = self._shape.columns
            lines = [self._encode(dict(zip(columns, self._shape.values(row), strict=True))) for row in rows]
        if lines:
            # One write per page keeps the number of (possibly remote) write calls small.
            self._sink.write(("\n".join(lines) + "\n").encode())

    def finish(self) -> None:
        """Nothing to add: JSON Lines has no footer."""


class _PageText:
    """Collects what csv.writer produces for one page so it reaches the sink in one write."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


class CsvWriter:
    """RFC 4180 quoting with a header row; absent values are empty fields; lines end with ``\\n``."""

    def __init__(self, sink: HashingSink, shape: RowShape) -> None:
        self._sink = sink
        self._shape = shape
        self._text = _PageText()
        self._csv = csv.writer(self._text, lineterminator="\n")
        self._csv.writerow(shape.columns)

    def write_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write each row as one CSV record."""
        if self._shape.matches(rows):
            self._csv.writerows(row.values() for row in rows)
        else:
            self._csv.writerows(self._shape.values(row) for row in rows)
        self._flush()

    def finish(self) -> None:
        """Write what is buffered (an empty report still gets its header); CSV has no footer."""
        self._flush()  # an empty report still gets its header

    def _flush(self) -> None:
        data = self._text.take()
        if data:
            self._sink.write(data)
