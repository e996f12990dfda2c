"""Progress lines for long reports: pages, rows, elapsed time and an estimate of what is left.

A 500,000-row report takes a minute or more at PeerClick's one report request per second; without these
lines its task log says nothing between "Landing..." and "Committed...".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks._report_answers import ReportPage

DEFAULT_PROGRESS_INTERVAL = 10.0

Clock = Callable[[], float]


class InfoLog(Protocol):
    """A task's ``self.log`` (structlog in Airflow 3) as well as a ``logging.Logger``."""

    def info(self, event: Any, *args: Any) -> Any:
        """Log an info line."""


class LogInterval:
    """Says when a progress line is due: at most once per ``seconds``, the first one ``seconds`` after
    creation, so a report that is over within one interval logs only its final line."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last = clock()

    def due(self) -> bool:
        """Whether a progress line is due now (and, if so, the interval starts again)."""
        now = self._clock()
        if now - self._last < self.seconds:
            return False
        self._last = now
        return True


def report_progress(
    pages: Iterable[ReportPage],
    log: InfoLog,
    *,
    label: str,
    interval: float = DEFAULT_PROGRESS_INTERVAL,
    clock: Clock = time.monotonic,
) -> Iterator[ReportPage]:
    """
    ``pages`` unchanged, logging to ``log`` how far they are at most every ``interval`` seconds (pages,
    rows of the report's ``total_rows``, elapsed seconds, seconds left at the pace so far), and one line
    once the last page is through.
    """
    started = clock()
    gate = LogInterval(interval, clock)
    count = rows = 0
    for page in pages:
        count += 1
        rows += len(page.rows)
        last = rows >= page.total_rows or not page.rows
        if not last and gate.due():
            elapsed = clock() - started
            left = elapsed * (page.total_rows - rows) / rows
            log.info(
                "%s: page %d, %d of %d rows (%d%%), %.0f s elapsed, about %.0f s left",
                label,
                count,
                rows,
                page.total_rows,
                100 * rows // page.total_rows,
                elapsed,
                left,
            )
        yield page
    log.info("%s: done, %d rows, %d page(s), %.1f s", label, rows, count, clock() - started)
