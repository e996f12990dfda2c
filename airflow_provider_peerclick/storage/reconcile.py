"""Check that fetched rows add up to the report's own totals and row count before anything is committed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from airflow_provider_peerclick.hooks._arguments import ADDITIVE_COLUMNS
from airflow_provider_peerclick.hooks._report_query import ReportPage
from airflow_provider_peerclick.storage.errors import PeerClickReconciliationError

# PeerClick rounds money to cents in each row and in the totals, so n rows may drift from the total by up
# to half a cent per row plus half a cent for the total itself.
HALF_CENT = Decimal("0.005")


def _number(value: Any, column: str) -> tuple[Decimal, bool]:
    """The value as an exact decimal (floats by their shortest repr), and whether it was an integer."""
    if value is None:
        return Decimal(0), True
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value), True
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite():
        raise PeerClickReconciliationError(f"Column {column!r} holds {value!r}, which is not a number")
    return number, False


class Reconciler:
    """
    Sums the additive columns of every row as the pages stream past; ``check()`` compares at the end.

    PeerClick's exact column set is not documented, so a column is reconciled when both the rows and the
    totals carry it, and recorded as not returned when neither does: absent from both is not an error in
    the data. Present on one side only means rows and totals disagree about what the report is, which is.
    """

    def __init__(self, columns: Iterable[str]) -> None:
        self.requested = tuple(column for column in columns if column in ADDITIVE_COLUMNS)
        self.rows = 0
        self.total_rows: int | None = None
        self.totals: dict[str, Any] | None = None
        self.reconciled: tuple[str, ...] = ()
        self.not_returned: tuple[str, ...] = ()
        # Every additive column is summed, asked for or not: what the API sends is what gets checked.
        self._sums = dict.fromkeys(ADDITIVE_COLUMNS, Decimal(0))
        self._integral = dict.fromkeys(ADDITIVE_COLUMNS, True)
        self._in_rows: set[str] = set()

    def add_page(self, page: ReportPage) -> None:
        if self.totals is None:
            self.totals, self.total_rows = dict(page.totals), page.total_rows
        elif page.totals != self.totals:
            raise PeerClickReconciliationError(
                f"The report's totals changed while it was being read (page at row {page.offset} has "
                f"{page.totals}, the first page had {self.totals}); nothing was committed. Try again later."
            )
        self.add_rows(page.rows)

    def add_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.rows += 1
            for column in ADDITIVE_COLUMNS:
                if column in row:
                    self._in_rows.add(column)
                    number, integral = _number(row[column], column)
                    self._sums[column] += number
                    self._integral[column] &= integral

    def check(self) -> None:
        """Raise naming the first column, sum and total that disagree; else record what was checked."""
        if self.totals is None:
            raise PeerClickReconciliationError("PeerClick sent no report page; nothing was committed.")
        if self.rows != self.total_rows:
            raise PeerClickReconciliationError(
                f"Fetched {self.rows} rows but PeerClick announced {self.total_rows}; nothing was committed."
            )
        in_totals = {column for column in ADDITIVE_COLUMNS if column in self.totals}
        # Without rows there is nothing to tell which columns rows would carry: the totals decide.
        in_rows = self._in_rows if self.rows else in_totals
        for column in ADDITIVE_COLUMNS:
            if (column in in_rows) != (column in in_totals):
                has, lacks = ("rows", "totals") if column in in_rows else ("totals", "rows")
                raise PeerClickReconciliationError(
                    f"PeerClick's {has} have column {column!r} but its {lacks} do not, so the rows cannot "
                    "be checked; nothing was committed."
                )
        self.reconciled = tuple(column for column in ADDITIVE_COLUMNS if column in in_totals)
        self.not_returned = tuple(column for column in self.requested if column not in in_totals)
        for column in self.reconciled:
            self._check_column(column)

    def _check_column(self, column: str) -> None:
        assert self.totals is not None
        total, integral = _number(self.totals[column], column)
        exact = integral and self._integral[column]
        allowed = Decimal(0) if exact else HALF_CENT * (self.rows + 1)
        if abs(self._sums[column] - total) > allowed:
            raise PeerClickReconciliationError(
                f"Column {column!r}: the {self.rows} rows sum to {self._sums[column]} but PeerClick's "
                f"total is {total} (allowed difference {allowed}); nothing was committed."
            )

    def sums(self) -> Mapping[str, Decimal]:
        return {column: self._sums[column] for column in self.reconciled}
