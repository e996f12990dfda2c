"""The manifest as the single commit point, on a real S3 API (moto in server mode) through s3fs.

A landing killed at any moment leaves a reader that follows the manifest the old complete partition or
the new one, never a mix or nothing; a rerun heals the folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_peerclick.storage import committed_files, land_report
from airflow_provider_peerclick.storage import staged_partition as staged_module

from .s3_partitions import QUERY, listing, pages, read_partition

SCRIPT = Path(__file__).resolve().parent / "land_and_die.py"


@pytest.fixture
def lake(s3_bucket):
    return s3_bucket / "lake"


@pytest.fixture
def partition(lake):
    return lake / "campaign" / "date=2026-11-24"


def land_in_a_process_that_dies(lake, version: int, kill_at: str) -> int:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(lake), str(version), kill_at],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr[-3000:]
    return done.returncode


def test_a_partition_lands_on_s3_and_a_rerun_replaces_it(lake, partition):
    first = land_report(pages(1), base=lake, query=QUERY)
    assert read_partition(partition)[0] == 1
    assert listing(partition) == sorted(["_manifest.json", first.files[0]["name"]])

    second = land_report(pages(2), base=lake, query=QUERY)
    assert read_partition(partition)[0] == 2
    # The parts the replaced manifest named are gone; nothing else is left behind.
    assert listing(partition) == sorted(["_manifest.json", second.files[0]["name"]])


@pytest.mark.parametrize(
    ("kill_at", "seen", "orphans"),
    [
        # Killed while streaming rows: s3fs had uploaded nothing yet, the old partition stays live.
        ("writing", 1, 0),
        # Parts uploaded, manifest not replaced: the old partition stays live, the new part is an orphan.
        ("before_manifest", 1, 1),
        # Manifest replaced, old part not removed yet: the new partition is live, the old part an orphan.
        ("after_manifest", 2, 1),
    ],
)
def test_a_kill_mid_commit_leaves_one_complete_partition_and_a_rerun_heals(
    lake, partition, monkeypatch, kill_at, seen, orphans
):
    land_report(pages(1), base=lake, query=QUERY)
    assert land_in_a_process_that_dies(lake, 2, kill_at) == -signal.SIGKILL

    # The moment after the kill: exactly one complete version, whichever the kill allowed.
    assert read_partition(partition)[0] == seen
    left = set(listing(partition))
    # A glob sees the orphans too; the list of committed files does not.
    (committed,) = committed_files(lake)
    assert len(left) == 2 + orphans
    assert committed.name in left

    # A rerun at once commits the new version, but keeps files no manifest names while they are young:
    # for all this run can tell, their writer may still be running.
    rerun = land_report(pages(2), base=lake, query=QUERY)
    assert read_partition(partition)[0] == 2
    kept = set(listing(partition)) - {"_manifest.json", rerun.files[0]["name"]}
    assert len(kept) == orphans
    assert kept <= left

    # Once they are old enough to be leftovers, the next commit sweeps them: only the live files remain.
    monkeypatch.setattr(staged_module, "ORPHAN_GRACE_SECONDS", 0)
    healed = land_report(pages(2), base=lake, query=QUERY)
    assert read_partition(partition)[0] == 2
    assert listing(partition) == sorted(["_manifest.json", healed.files[0]["name"]])


def test_a_failed_landing_leaves_the_old_partition_and_no_files_of_its_own(lake, partition):
    land_report(pages(1), base=lake, query=QUERY)
    before = listing(partition)

    def broken():
        yield from pages(2)[:2]
        raise ConnectionResetError("the connection dropped mid-report")

    with pytest.raises(ConnectionResetError):
        land_report(broken(), base=lake, query=QUERY)
    assert listing(partition) == before
    assert read_partition(partition)[0] == 1


@pytest.mark.slow
def test_the_operator_lands_a_window_on_s3(s3_bucket, s3_server, emulator, monkeypatch):
    import pendulum

    from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator

    monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
    operator = PeerClickReportToStorageOperator(
        task_id="land",
        destination="s3://peerclick-lake/lake",
        storage_conn_id=s3_server.conn_id,
        group_by="country",
        start="2026-11-22",
        end="2026-11-24",
    )
    assert [asset.uri for asset in operator.outlets] == ["s3://peerclick-lake/lake/country"]
    result = operator.execute({"data_interval_start": pendulum.now(), "data_interval_end": pendulum.now()})  # type: ignore[arg-type]
    assert [landed["partition"] for landed in result["partitions"]] == ["date=2026-11-22", "date=2026-11-23"]
    for landed in result["partitions"]:
        directory = s3_bucket / "lake" / "country" / landed["partition"]
        assert listing(directory) == sorted(["_manifest.json", landed["files"][0]["name"]])
    assert emulator.stats()["refused"] == 0
