from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from airflow_provider_peerclick.exceptions import (
    PeerClickAPIError,
    PeerClickError,
    PeerClickInvalidArgumentError,
)
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator
from airflow_provider_peerclick.storage import row_formats

from .conftest import DAY

PARTITION = "campaign/date=2026-11-24"
MANIFEST = f"{PARTITION}/_manifest.json"

pytestmark = pytest.mark.slow


def read_rows(row_format: str, data: bytes) -> list[dict]:
    if row_format == "jsonl":
        return [json.loads(line) for line in data.decode().splitlines()]
    if row_format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode())))
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data)).to_pylist()


def test_rows_landed_are_the_api_rows_and_reconcile(run_landing, lake, lake_files, api_report, emulator):
    result = run_landing(page_size=8)

    files = lake_files()
    assert sorted(files) == [MANIFEST, f"{PARTITION}/part-0000.jsonl"]
    api = api_report()
    assert read_rows("jsonl", files[f"{PARTITION}/part-0000.jsonl"]) == api["rows"]
    manifest = json.loads(files[MANIFEST])
    (landed,) = result["partitions"]
    assert manifest["row_count"] == api["totalRows"] == result["row_count"] == landed["row_count"] > 8
    assert manifest["totals"] == api["totals"] == landed["totals"]
    assert landed["path"] == f"file://{lake}/{PARTITION}"
    assert landed["partition"] == "date=2026-11-24"
    assert landed["files"][0]["sha256"] == hashlib.sha256(files[f"{PARTITION}/part-0000.jsonl"]).hexdigest()
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["buckets"]["reports"]["requests"] == 1 + -(-api["totalRows"] // 8)


@pytest.mark.parametrize("row_format", ["csv", "parquet"])
def test_every_format_lands_the_same_rows(run_landing, lake_files, api_report, row_format):
    if row_format == "parquet":
        pytest.importorskip("pyarrow")
    run_landing(format=row_format, columns=["visits", "clicks", "revenue", "cost"])
    rows = read_rows(row_format, lake_files()[f"{PARTITION}/part-0000.{row_format}"])
    api = api_report(columns=["visits", "clicks", "revenue", "cost"])
    assert len(rows) == api["totalRows"]
    assert [int(row["campaignId"]) for row in rows] == [row["campaignId"] for row in api["rows"]]
    assert [float(row["revenue"]) for row in rows] == [row["revenue"] for row in api["rows"]]


def test_a_rerun_writes_the_same_bytes(run_landing, lake_files):
    run_landing(format="csv")
    first = lake_files()
    run_landing(format="csv")
    second = lake_files()
    data = f"{PARTITION}/part-0000.csv"
    assert sorted(first) == sorted(second)
    assert first[data] == second[data]
    # The same bytes under this run's own part name: the manifest names the live one.
    (before,), (after,) = json.loads(first[MANIFEST])["files"], json.loads(second[MANIFEST])["files"]
    assert before.pop("name") != after.pop("name")
    assert before == after


def test_an_api_error_mid_report_leaves_the_old_partition(run_landing, lake_files, fault_after_first_page):
    run_landing(page_size=8)
    before = lake_files()
    fault_after_first_page(path="/report", status=400, body={"description": "Bad page"})
    with pytest.raises(PeerClickAPIError, match="HTTP 400 to GET /report: Bad page"):
        run_landing(page_size=8)
    assert lake_files() == before


def test_a_dropped_connection_mid_report_leaves_nothing_new(
    run_landing, lake, peerclick_connection, fault_after_first_page
):
    peerclick_connection(max_attempts=2)
    fault_after_first_page(path="/report", drop=True, count=50)
    with pytest.raises(PeerClickError, match="got no usable answer"):
        run_landing(page_size=8)
    assert not lake.exists()


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("relative/lake", "must be an absolute path"),
        ("nosuchscheme://bucket/lake", "no filesystem for scheme 'nosuchscheme'"),
        ("file:///dev/null/lake", "is a file, not a folder"),
    ],
)
def test_a_bad_destination_fails_before_any_request(run_landing, emulator, destination, message):
    with pytest.raises(PeerClickInvalidArgumentError, match=message):
        run_landing(destination=destination)
    assert emulator.stats()["requests"] == 0


def test_parquet_without_pyarrow_fails_before_any_request(run_landing, emulator, monkeypatch, lake):
    monkeypatch.setattr(row_formats.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PeerClickInvalidArgumentError, match=r"airflow-provider-peerclick\[parquet\]"):
        PeerClickReportToStorageOperator(
            task_id="land", destination=f"file://{lake}", group_by="campaign", format="parquet"
        )
    operator = PeerClickReportToStorageOperator(
        task_id="land", destination=f"file://{lake}", group_by="campaign", format="{{ 'parquet' }}"
    )
    operator.format = "parquet"
    with pytest.raises(PeerClickInvalidArgumentError, match=r"airflow-provider-peerclick\[parquet\]"):
        operator.execute({"data_interval_start": None, "data_interval_end": None})  # type: ignore[arg-type]
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("context", "cause", "fix"),
    [
        # Triggered without a logical date (the REST API, the UI with the date left empty).
        (
            {"logical_date": None, "data_interval_start": None, "data_interval_end": None},
            "triggered without a logical date",
            "trigger the run with a logical date",
        ),
        # A logical date but an empty interval: Airflow 3's default cron timetable.
        (
            {"logical_date": DAY, "data_interval_start": DAY, "data_interval_end": DAY},
            "data interval is empty",
            "schedule with an interval: CronDataIntervalTimetable",
        ),
    ],
    ids=["no-logical-date", "empty-interval"],
)
def test_a_run_without_a_data_interval_is_told_why_and_what_to_do(emulator, lake, context, cause, fix):
    operator = PeerClickReportToStorageOperator(task_id="land", destination=f"file://{lake}", group_by="day")
    with pytest.raises(PeerClickInvalidArgumentError) as raised:
        operator.execute(context)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("start: not given")
    assert cause in message
    assert fix in message
    assert "pass start and end" in message
    assert emulator.stats()["requests"] == 0


def test_the_data_interval_is_read_in_the_report_time_zone(land_interval, lake_files):
    # A UTC interval seen from New York: 19:00 on the 23rd to midnight on the 25th. The whole day (24th) is
    # one partition, the hours of the 23rd it covers only in part are hour partitions: none overlaps.
    result = land_interval(
        DAY, DAY.add(days=1, hours=5), group_by="day", columns=["visits"], tz="America/New_York"
    )
    partitions = [landed["partition"] for landed in result["partitions"]]
    assert partitions == [*(f"date=2026-11-23/hour={hour}-0500" for hour in range(19, 24)), "date=2026-11-24"]
    manifest = json.loads(lake_files()["day/date=2026-11-24/_manifest.json"])
    assert manifest["query"]["start"] == "2026-11-24T00:00:00-05:00"
    assert manifest["query"]["end"] == "2026-11-25T00:00:00-05:00"
    hour = json.loads(lake_files()["day/date=2026-11-23/hour=19-0500/_manifest.json"])
    assert hour["query"]["start"] == "2026-11-23T19:00:00-05:00"
    assert hour["query"]["end"] == "2026-11-23T20:00:00-05:00"


def test_a_seven_day_window_lands_as_seven_reconciled_partitions(
    run_landing, lake_files, api_report, emulator
):
    result = run_landing(
        start="2026-11-17", end="2026-11-24", columns=["visits", "clicks", "revenue", "cost"]
    )
    days = [f"2026-11-{day}" for day in range(17, 24)]
    assert [landed["partition"] for landed in result["partitions"]] == [f"date={day}" for day in days]
    files = lake_files()
    assert sorted(files) == sorted(
        f"campaign/date={day}/{name}" for day in days for name in ("_manifest.json", "part-0000.jsonl")
    )
    for number, day in enumerate(days[:2]):
        start = DAY.subtract(days=7 - number)
        api = api_report(start=start, end=start.add(days=1), columns=["visits", "clicks", "revenue", "cost"])
        manifest = json.loads(files[f"campaign/date={day}/_manifest.json"])
        assert manifest["totals"] == api["totals"]
        assert manifest["row_count"] == api["totalRows"]
    assert result["row_count"] == sum(landed["row_count"] for landed in result["partitions"])
    # One report per day: the landing spent 7 report requests (plus the 2 checks above).
    assert emulator.stats()["buckets"]["reports"]["requests"] == 7 + 2
    assert emulator.stats()["refused"] == 0


def test_a_partition_template_matches_an_existing_layout(run_landing, lake_files):
    run_landing(start="2026-11-23", end="2026-11-25", partition_template="{year}/{month}/{day}")
    assert sorted(name for name in lake_files() if name.endswith("_manifest.json")) == [
        "campaign/2026/11/23/_manifest.json",
        "campaign/2026/11/24/_manifest.json",
    ]
