"""What a reader that globs a local landing sees, as DuckDB's ``read_json('.../*.jsonl')`` or Spark would:
parts are staged under names no data glob matches and renamed into place at commit, so a kill mid-write
adds no row to the glob, and the task's next try sweeps what a killed try left at once."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.storage import MANIFEST_NAME, committed_files, land_report
from airflow_provider_peerclick.storage.staged_partition import Attempt

from .land_and_die import ATTEMPT_KEY
from .s3_partitions import QUERY, pages, read_partition, rows

SCRIPT = Path(__file__).resolve().parent / "land_and_die.py"


@pytest.fixture
def lake(tmp_path) -> Path:
    return tmp_path / "lake"


def partition(lake: Path) -> Path:
    return lake / "campaign" / "date=2026-11-24"


def globbed_rows(lake: Path) -> int:
    """Rows of every ``*.jsonl`` under the group-by, as a glob reader counts them."""
    found = glob.glob(str(lake / "campaign" / "*" / "*.jsonl"))
    return sum(len(Path(name).read_text().splitlines()) for name in found)


def land_and_die(lake: Path, version: int, kill_at: str, *attempt: int) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(lake), str(version), kill_at, *map(str, attempt)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def test_a_kill_mid_write_adds_nothing_a_glob_sees(lake):
    land_report(pages(1), base=ObjectStoragePath(lake), query=QUERY)
    assert globbed_rows(lake) == len(rows(1))

    land_and_die(lake, 2, "writing")

    assert globbed_rows(lake) == len(rows(1))
    (staged,) = [name for name in os.listdir(partition(lake)) if name.startswith("_tmp-")]
    assert staged.endswith(".jsonl.partial")  # Spark, Hive and pyarrow skip "_"; "*.jsonl" misses it
    assert read_partition(ObjectStoragePath(partition(lake)))[0] == 1


@pytest.mark.parametrize("kill_at", ["writing", "before_manifest", "after_manifest"])
def test_the_next_try_sweeps_what_a_killed_try_left_at_once(lake, kill_at):
    first = land_report(pages(1), base=ObjectStoragePath(lake), query=QUERY)
    # Committed by an earlier DAG run, longer ago than a commit takes.
    yesterday = time.time() - 24 * 3600 + 600
    os.utime(partition(lake) / first.files[0]["name"], (yesterday, yesterday))
    land_and_die(lake, 2, kill_at, 1)
    assert len(os.listdir(partition(lake))) == 3  # the manifest, a committed part and the killed try's

    again = land_report(
        pages(2), base=ObjectStoragePath(lake), query=QUERY, attempt=Attempt.of(*ATTEMPT_KEY, 2)
    )

    assert sorted(os.listdir(partition(lake))) == sorted([MANIFEST_NAME, again.files[0]["name"]])
    assert globbed_rows(lake) == len(rows(2))
    assert read_partition(ObjectStoragePath(partition(lake)))[0] == 2


def test_another_tasks_young_leftovers_are_kept_for_it_may_be_running(lake):
    land_report(pages(1), base=ObjectStoragePath(lake), query=QUERY)
    land_and_die(lake, 2, "writing", 1)

    other = Attempt.of("another_dag", *ATTEMPT_KEY[1:], 5)
    again = land_report(pages(2), base=ObjectStoragePath(lake), query=QUERY, attempt=other)

    left = set(os.listdir(partition(lake))) - {MANIFEST_NAME, again.files[0]["name"]}
    (kept,) = left
    assert kept.startswith("_tmp-")
    assert globbed_rows(lake) == len(rows(2))


@pytest.mark.slow
def test_committed_files_lists_what_the_manifests_name_and_nothing_a_kill_left(lake):
    day = land_report(pages(1), base=ObjectStoragePath(lake), query=QUERY)
    land_and_die(lake, 2, "before_manifest")  # a part renamed into place that no manifest names
    assert len(glob.glob(str(partition(lake) / "*.jsonl"))) == 2

    expected = [str(partition(lake) / day.files[0]["name"])]
    assert [found.path for found in committed_files(str(lake))] == expected
    printed = subprocess.run(
        [sys.executable, "-m", "airflow_provider_peerclick.storage.committed", "files", str(lake)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.splitlines() == expected
    rows_read = sum(len(Path(name).read_text().splitlines()) for name in expected)
    assert rows_read == len(rows(1))
