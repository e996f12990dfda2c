"""A real landing against the emulator tells its task log how far it is."""

from __future__ import annotations

import re

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator


@pytest.mark.slow
def test_a_landing_logs_its_progress_page_by_page(run_landing, emulator, capfd):
    # An interval of 0 makes every page but the last due, so the count is exact, not a matter of timing.
    result = run_landing(page_size=8, progress_interval=0)

    rows = result["row_count"]
    pages = -(-rows // 8)
    assert pages >= 2
    label = "Report by campaign from 2026-11-24T00:00:00+00:00 to 2026-11-25T00:00:00+00:00"
    # Outside a task, Airflow's structlog prints a task's log lines: time, level, the line, [logger], ...
    logged = "".join(capfd.readouterr())
    progress = re.findall(rf"({re.escape(label)}: [^\[\n]*?)\s*(?:\[|$)", logged, re.MULTILINE)
    print("\n".join(progress))
    interim = re.compile(
        rf"{re.escape(label)}: page (\d+), (\d+) of {rows} rows \(\d+%\), \d+ s elapsed, about \d+ s left"
    )
    assert [interim.fullmatch(line).groups() for line in progress[:-1]] == [
        (str(page), str(page * 8)) for page in range(1, pages)
    ]
    assert re.fullmatch(rf"{re.escape(label)}: done, {rows} rows, {pages} page\(s\), [\d.]+ s", progress[-1])
    assert emulator.stats()["refused"] == 0


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "10", True])
def test_progress_interval_is_checked_when_the_dag_is_parsed(bad):
    with pytest.raises(
        PeerClickInvalidArgumentError, match=r"progress_interval: got .*; allowed: a number of"
    ):
        PeerClickReportToStorageOperator(
            task_id="land", destination="file:///data", group_by="campaign", progress_interval=bad
        )
