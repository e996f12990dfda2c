"""Progress lines of long reports, timed by a clock the test moves."""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick.hooks.peerclick import ReportPage
from airflow_provider_peerclick.progress import LogInterval, report_progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lines:
    """A logger that keeps the lines it is given, formatted."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, event: Any, *args: Any) -> None:
        self.lines.append(event % args)


def pages(total: int, size: int) -> list[ReportPage]:
    return [
        ReportPage(offset, total, {}, [{"n": n} for n in range(offset, min(offset + size, total))])
        for offset in range(0, total, size)
    ]


def test_a_line_is_due_at_most_once_per_interval():
    clock = Clock()
    gate = LogInterval(10, clock)
    seen = []
    for _ in range(25):
        clock.now += 1.5
        seen.append(gate.due())
    # Due after 10 s from creation (the 7th step, 10.5 s), then 10 s after each line it allowed.
    assert [step for step, due in enumerate(seen, 1) if due] == [7, 14, 21]


def test_a_long_report_logs_pages_rows_elapsed_and_time_left_then_a_final_line():
    clock, log = Clock(), Lines()
    landed = 0
    for page in report_progress(pages(500_000, 10_000), log, label="Report by campaign", clock=clock):
        landed += len(page.rows)
        clock.now += 1.0  # one report request per second
    assert landed == 500_000
    assert (
        log.lines[0]
        == "Report by campaign: page 11, 110000 of 500000 rows (22%), 10 s elapsed, about 35 s left"
    )
    assert (
        log.lines[1]
        == "Report by campaign: page 21, 210000 of 500000 rows (42%), 20 s elapsed, about 28 s left"
    )
    assert len(log.lines) == 4 + 1
    assert log.lines[-1] == "Report by campaign: done, 500000 rows, 50 page(s), 50.0 s"


def test_a_report_over_within_one_interval_logs_only_its_final_line():
    clock, log = Clock(), Lines()
    for _ in report_progress(pages(30, 8), log, label="Report", interval=10, clock=clock):
        clock.now += 1.0
    assert log.lines == ["Report: done, 30 rows, 4 page(s), 4.0 s"]


def test_an_empty_report_logs_one_line_and_divides_by_nothing():
    clock, log = Clock(), Lines()
    empty = [ReportPage(0, 0, {}, [])]
    assert list(report_progress(empty, log, label="Report", interval=0, clock=clock)) == empty
    assert log.lines == ["Report: done, 0 rows, 1 page(s), 0.0 s"]
