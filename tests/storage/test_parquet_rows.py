"""Parquet rows: only where pyarrow (the ``parquet`` extra) is installed."""

from __future__ import annotations

import io

import pytest

from airflow_provider_peerclick.storage.errors import PeerClickStorageError

from .conftest import COLUMNS, make_rows, write

pq = pytest.importorskip("pyarrow.parquet")


def test_round_trip_with_a_fixed_schema():
    rows = make_rows(5)
    table = pq.read_table(io.BytesIO(write("parquet", [rows[:3], rows[3:]])))
    assert table.to_pylist() == rows
    types = {field.name: str(field.type) for field in table.schema}
    assert types == {
        "campaignId": "int64",
        "campaignName": "string",
        "visits": "int64",
        "clicks": "int64",
        "revenue": "double",
        "cost": "double",
        "cr": "double",
    }


def test_bytes_do_not_depend_on_the_page_size(monkeypatch):
    from airflow_provider_peerclick.storage import parquet_rows

    monkeypatch.setattr(parquet_rows, "ROW_GROUP_ROWS", 4)
    rows = make_rows(10)
    one_page = write("parquet", [rows])
    small_pages = write("parquet", [rows[i : i + 3] for i in range(0, 10, 3)])
    assert one_page == small_pages
    assert pq.ParquetFile(io.BytesIO(one_page)).num_row_groups == 3


def test_a_fraction_in_a_count_column_is_refused_not_truncated():
    rows = make_rows(2)
    rows[1]["visits"] = 2.5
    with pytest.raises(PeerClickStorageError, match=r"'visits'.*2\.5"):
        write("parquet", [rows])


def test_an_empty_report_is_a_valid_file_with_the_schema():
    table = pq.read_table(io.BytesIO(write("parquet", [[]])))
    assert table.num_rows == 0
    assert table.schema.names == ["campaignId", "campaignName", *COLUMNS]
