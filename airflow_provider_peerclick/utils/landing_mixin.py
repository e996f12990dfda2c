"""What the landing operators share: paging with progress lines, and the lookback that re-lands the days
PeerClick has changed since (late conversions)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.progress import report_progress
from airflow_provider_peerclick.utils.tasks import PeerClickTaskMixin, check_now

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery


class _Landing(Protocol):
    """What any landing of a partition returns."""

    @property
    def totals(self) -> dict[str, Any]: ...

    @property
    def row_count(self) -> int: ...


Landed = TypeVar("Landed", bound=_Landing)
# Restating more than two months back costs a request a day for little: PeerClick's late conversions
# settle within days.
MAX_LOOKBACK_DAYS = 62


def lookback_days_argument(value: Any) -> int:
    """Check ``lookback_days``: an integer from 0 to 62."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LOOKBACK_DAYS:
        raise PeerClickInvalidArgumentError(
            f"lookback_days: got {value!r}; allowed: an integer from 0 to {MAX_LOOKBACK_DAYS}"
        )
    return value


def account_argument(value: Any) -> str:
    """The ``account`` a table's rows carry: a name the user gives."""
    if not isinstance(value, str) or not value.strip():
        raise PeerClickInvalidArgumentError(
            f"account: got {value!r}; allowed: a non-empty name for the account's rows, or None for the "
            "connection's access key ID"
        )
    return value.strip()


def require_whole_days(query: ReportQuery, pieces: Iterable[ReportQuery], destination: str) -> None:
    """Refuse, before any request, a window that covers part of a day, for a ``destination`` of days."""
    from airflow_provider_peerclick.storage.partitions import is_whole_day

    for piece in pieces:
        if not is_whole_day(piece):
            raise PeerClickInvalidArgumentError(
                f"start/end: the window {query.start.isoformat()} to {query.end.isoformat()} covers part of "
                f"{piece.start.to_date_string()} only, and {destination} holds whole days of {query.tz}: "
                "give start and end at midnight, or schedule the DAG daily"
            )


class ReportLandingMixin(PeerClickTaskMixin):
    """Needs ``log``, ``page_size``, ``progress_interval`` and ``lookback_days``."""

    page_size: int | None
    progress_interval: float
    lookback_days: int
    max_lookback_days = MAX_LOOKBACK_DAYS

    if TYPE_CHECKING:

        @property
        def log(self) -> Any: ...  # the operator's

    def check_arguments(self) -> None:
        """Also ``page_size``, ``lookback_days`` and ``progress_interval``."""
        super().check_arguments()
        arguments.page_size(self.page_size)
        lookback_days_argument(self.lookback_days)
        arguments.seconds(self.progress_interval, "progress_interval")

    @staticmethod
    def _landing_result(
        landed: Sequence[Any], restated: Sequence[tuple[dict[str, Any], Any]], **head: Any
    ) -> dict[str, Any]:
        """The XCom result of a table landing: ``head``, then the rows, partitions and restated days."""
        return {
            **head,
            "row_count": sum(piece.row_count for piece in landed),
            "partitions": [piece.to_xcom() for piece in landed],
            "restated": [entry for entry, _ in restated],
        }

    def _pages(self, piece: ReportQuery) -> Iterator[ReportPage]:
        return report_progress(
            self.hook.iter_report_pages(query=piece, page_size=self.page_size),
            self.log,
            label=f"Report by {piece.group_by} from {piece.start.isoformat()} to {piece.end.isoformat()}",
            interval=self.progress_interval,
        )

    def _restate_days(
        self,
        query: ReportQuery,
        previous_of: Callable[[ReportQuery], tuple[str, Mapping[str, Any] | None]],
        land: Callable[[ReportQuery, Iterator[ReportPage]], Landed],
        split: Callable[[ReportQuery], Iterable[ReportQuery]] = lambda day: (day,),
    ) -> list[tuple[dict[str, Any], Landed]]:
        """Re-land the lookback days whose numbers changed: for each, its entry (the partition, its
        previous and new totals and row count) and what ``land`` returned (which has ``totals`` and
        ``row_count``), oldest first. ``previous_of`` names a partition and what was landed there;
        ``split`` makes a day its partitions (an hourly table's hours), each checked on its own."""
        from airflow_provider_peerclick.storage.restatement import check_day, lookback_days

        restated = []
        for day in chain.from_iterable(map(split, lookback_days(query, self.lookback_days))):
            pages = self._pages(day)
            partition, previous = previous_of(day)
            check = check_day(pages, query=day, partition=partition, previous=previous)
            if check.previous is None:
                self.log.info("Lookback: %s was never landed; skipped (backfill to fill it)", partition)
                continue
            if not check.changed:
                self.log.info("Lookback: %s unchanged", partition)
                continue
            assert check.first_page is not None  # a landed day's check always reads its first page
            again = land(day, chain([check.first_page], pages))
            entry = {**check.describe(), "totals": again.totals, "row_count": again.row_count}
            self.log.info(
                "Lookback: restated %s: totals were %s, now %s",
                partition,
                entry["previous_totals"],
                entry["totals"],
            )
            restated.append((entry, again))
        return restated


class ReportTableLandingMixin(ReportLandingMixin):
    """What the table landings (SQL, Iceberg) take on top: the ``account`` their rows carry, and what to do
    when PeerClick's columns change (``schema_changes``)."""

    account: str | None
    schema_changes: str

    def check_arguments(self) -> None:
        """Also ``account`` and ``schema_changes``."""
        from airflow_provider_peerclick.sql.schema_changes import require_schema_changes

        super().check_arguments()
        check_now(self.account, account_argument)
        require_schema_changes(self.schema_changes)
