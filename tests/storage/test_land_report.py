from __future__ import annotations

import hashlib
import json
import re
import time

import pytest

from airflow_provider_peerclick import __version__
from airflow_provider_peerclick.hooks.peerclick import ReportQuery
from airflow_provider_peerclick.storage import (
    MANIFEST_NAME,
    PeerClickReconciliationError,
    land_report,
    partition_key,
)

from .conftest import COLUMNS, make_rows, paged, totals_of

PARTITION = "lake/campaign/date=2026-11-24"


def formats() -> list[str]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return ["jsonl", "csv"]
    return ["jsonl", "csv", "parquet"]


@pytest.mark.parametrize("row_format", formats())
def test_a_partition_is_its_data_file_and_a_manifest(base, query, files_under, row_format):
    rows = make_rows(25)
    landed = land_report(paged(rows, 10), base=base, query=query, row_format=row_format)

    files = files_under()
    part = f"{PARTITION}/part-0000.{row_format}"
    assert sorted(files) == [f"{PARTITION}/{MANIFEST_NAME}", part]
    manifest = json.loads(files[f"{PARTITION}/{MANIFEST_NAME}"])
    digest = hashlib.sha256(files[part]).hexdigest()
    (entry,) = manifest["files"]
    # Each run writes parts under names of its own: the manifest, written last, says which are live.
    assert re.fullmatch(rf"part-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}-0000\.{row_format}", entry["name"])
    assert entry == {"name": entry["name"], "rows": 25, "bytes": len(files[part]), "sha256": digest}
    assert manifest["row_count"] == 25
    assert manifest["totals"] == totals_of(rows)
    assert manifest["format"] == row_format
    assert manifest["provider_version"] == __version__
    assert manifest["query"] == {
        "group_by": "campaign",
        "start": "2026-11-24T00:00:00+00:00",
        "end": "2026-11-25T00:00:00+00:00",
        "tz": "UTC",
        "columns": list(COLUMNS),
        "filters": {},
    }
    assert manifest["columns"] == ["campaignId", "campaignName", *COLUMNS]
    assert manifest["fetched_at"].endswith("+00:00")
    assert landed.to_xcom() == {
        "partition": "date=2026-11-24",
        "path": f"{base}/campaign/date=2026-11-24",
        "manifest": f"{base}/campaign/date=2026-11-24/{MANIFEST_NAME}",
        "format": row_format,
        "row_count": 25,
        "totals": totals_of(rows),
        "files": manifest["files"],
    }


def test_a_rerun_replaces_the_partition_with_the_same_bytes(base, query, files_under):
    rows = make_rows(30)
    land_report(paged(rows, 7), base=base, query=query, row_format="csv")
    first = files_under()
    # Another page size and key order from the API: still the same bytes.
    land_report(
        paged([dict(reversed(row.items())) for row in rows], 30), base=base, query=query, row_format="csv"
    )
    second = files_under()
    assert sorted(first) == sorted(second)
    data = f"{PARTITION}/part-0000.csv"
    assert first[data] == second[data]


def test_a_rerun_in_another_format_leaves_no_old_part(base, query, files_under):
    land_report(paged(make_rows(5), 5), base=base, query=query, row_format="csv")
    land_report(paged(make_rows(5), 5), base=base, query=query, row_format="jsonl")
    assert sorted(files_under()) == [f"{PARTITION}/{MANIFEST_NAME}", f"{PARTITION}/part-0000.jsonl"]


def test_a_failure_mid_report_leaves_the_old_partition_untouched(base, query, files_under, failing_after):
    land_report(paged(make_rows(12), 4), base=base, query=query, row_format="jsonl")
    before = files_under()
    with pytest.raises(ConnectionResetError):
        land_report(failing_after(paged(make_rows(40), 4), 2), base=base, query=query, row_format="jsonl")
    assert files_under() == before


def test_a_failure_on_a_new_partition_leaves_nothing_not_even_folders(base, query, tmp_path, failing_after):
    with pytest.raises(ConnectionResetError):
        land_report(failing_after(paged(make_rows(40), 4), 1), base=base, query=query)
    assert list(tmp_path.iterdir()) == []


def test_rows_that_do_not_reconcile_are_not_committed(base, query, files_under):
    land_report(paged(make_rows(12), 4), base=base, query=query)
    before = files_under()
    rows = make_rows(12)
    wrong = {**totals_of(rows), "visits": totals_of(rows)["visits"] - 1}
    with pytest.raises(PeerClickReconciliationError, match=r"Column 'visits'.*nothing was committed"):
        land_report(paged(rows, 4, wrong), base=base, query=query)
    assert files_under() == before


def test_an_empty_report_is_a_complete_partition(base, query, files_under):
    landed = land_report(paged([], 10, totals=dict.fromkeys(COLUMNS, 0)), base=base, query=query)
    assert landed.row_count == 0
    assert f"{PARTITION}/{MANIFEST_NAME}" in files_under()


def test_leftovers_of_killed_runs_are_swept_at_commit_but_not_a_running_one(base, query, tmp_path):
    folder = tmp_path / PARTITION
    folder.mkdir(parents=True)
    old_run, running = (
        "20200101T000000Z-0badc0de",
        time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-5ca1ab1e",
    )
    (folder / "_tmp-0123456789ab-part-0000.jsonl").write_text("half a file of the old layout")
    (folder / "part-0001.jsonl").write_text("{}\n")
    (folder / f"part-{old_run}-0000.jsonl").write_text("a part of a run killed long ago")
    (folder / f"part-{running}-0000.jsonl").write_text("a part another run is writing now")
    (folder / "notes.txt").write_text("not ours")
    landed = land_report(paged(make_rows(3), 3), base=base, query=query)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [MANIFEST_NAME, "notes.txt", landed.files[0]["name"], f"part-{running}-0000.jsonl"]
    )


def test_a_commit_removes_exactly_the_parts_the_replaced_manifest_named(base, query, tmp_path):
    first = land_report(paged(make_rows(3), 3), base=base, query=query)
    second = land_report(paged(make_rows(4), 4), base=base, query=query)
    names = sorted(path.name for path in (tmp_path / PARTITION).iterdir())
    assert first.files[0]["name"] != second.files[0]["name"]
    assert names == sorted([MANIFEST_NAME, second.files[0]["name"]])


def test_partition_key_is_the_start_date_in_the_report_time_zone():
    berlin = ReportQuery.build(start="2026-11-24", end="2026-11-25", group_by="day", tz="Europe/Berlin")
    assert partition_key(berlin) == "date=2026-11-24"
    hourly = ReportQuery.build(start="2026-11-24T05:00:00", end="2026-11-24T06:00:00", group_by="day")
    assert partition_key(hourly) == "date=2026-11-24/hour=05+0000"
