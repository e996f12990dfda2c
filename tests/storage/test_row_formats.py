from __future__ import annotations

import csv
import importlib.util
import io
import json

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.storage import row_formats
from airflow_provider_peerclick.storage.checksum import HashingSink
from airflow_provider_peerclick.storage.columns import column_order
from airflow_provider_peerclick.storage.errors import PeerClickStorageError
from airflow_provider_peerclick.storage.row_formats import require_row_format

from .conftest import COLUMNS, make_rows, write


def test_column_order_puts_dimensions_then_requested_metrics_then_unknown_keys():
    row = {"zeta": 1, "cr": 1.0, "visits": 1, "campaignId": 1, "campaignName": "a", "alpha": 2}
    assert column_order("campaign", ("visits", "cr"), row) == (
        "campaignId",
        "campaignName",
        "visits",
        "cr",
        "alpha",
        "zeta",
    )
    assert column_order("day", ("visits",), None) == ("day", "visits")


def test_jsonl_writes_one_object_per_row_in_column_order():
    rows = make_rows(3)
    lines = write("jsonl", [rows[:2], rows[2:]]).decode().splitlines()
    assert [json.loads(line) for line in lines] == rows
    assert list(json.loads(lines[0])) == ["campaignId", "campaignName", *COLUMNS]


def test_csv_has_a_header_and_quotes_what_needs_it():
    rows = make_rows(8)
    text = write("csv", [rows]).decode()
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [row["campaignName"] for row in parsed] == [row["campaignName"] for row in rows]
    assert [int(row["visits"]) for row in parsed] == [row["visits"] for row in rows]
    assert text.splitlines()[0] == "campaignId,campaignName,visits,clicks,revenue,cost,cr"


def test_an_empty_report_still_gets_a_header():
    assert write("csv", [[]]).decode() == "campaignId,campaignName,visits,clicks,revenue,cost,cr\n"
    assert write("jsonl", [[]]) == b""


def test_a_row_with_keys_the_first_row_lacked_is_refused():
    rows = make_rows(2)
    rows[1]["surprise"] = 1
    with pytest.raises(PeerClickStorageError, match=r"\['surprise'\]"):
        write("jsonl", [rows])


def test_the_sink_hashes_what_was_written():
    import hashlib

    target = io.BytesIO()
    sink = HashingSink(target)
    sink.write(b"abc")
    sink.write(memoryview(b"def"))
    assert sink.sha256 == hashlib.sha256(b"abcdef").hexdigest()
    assert sink.tell() == sink.bytes_written == 6
    sink.close()
    assert not target.closed  # the owner decides when the bytes are final


def test_unknown_format_is_refused():
    with pytest.raises(PeerClickInvalidArgumentError, match="jsonl, csv, parquet"):
        require_row_format("xlsx")


def test_parquet_without_pyarrow_names_the_extra(monkeypatch):
    monkeypatch.setattr(row_formats.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PeerClickInvalidArgumentError, match=r"airflow-provider-peerclick\[parquet\]"):
        require_row_format("parquet")


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow is installed")
def test_parquet_is_refused_where_pyarrow_is_missing():
    with pytest.raises(PeerClickInvalidArgumentError, match=r"airflow-provider-peerclick\[parquet\]"):
        require_row_format("parquet")


@pytest.mark.parametrize("row_format", ["jsonl", "csv", "parquet"])
def test_rows_in_the_header_order_and_rows_reshaped_give_the_same_bytes(row_format):
    if row_format == "parquet" and importlib.util.find_spec("pyarrow") is None:
        pytest.skip("pyarrow is not installed")
    rows = make_rows(7)
    # The same rows with keys in another order, and with a null left out: the reshaping path.
    shuffled = [dict(reversed(list(row.items()))) for row in rows]
    shuffled[3] = {key: value for key, value in shuffled[3].items() if key != "cr"}
    rows[3] = {**rows[3], "cr": None}
    assert write(row_format, [rows[:4], rows[4:]]) == write(row_format, [shuffled[:4], shuffled[4:]])
    assert write(row_format, [rows]) == write(row_format, [rows[:2], shuffled[2:5], rows[5:]])
