"""Check that fetched rows add up to the report's own totals and row count before anything is committed."""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import itemgetter
from typing import Any

from airflow_provider_peerclick.hooks._arguments import ADDITIVE_COLUMNS
from airflow_provider_peerclick.hooks._report_answers import ReportPage
from airflow_provider_peerclick.storage.errors import PeerClickReconciliationError

# PeerClick rounds money to cents in each row and in the totals, so n rows may drift from the total by up
# to half a cent per row plus half a cent for the total itself.
HALF_CENT = Decimal("0.005")


def _page_sum(values: list[Any], column: str) -> tuple[Decimal, bool]:
    """The exact sum of one page's ``values`` of ``column``, and whether all were integers.

    Summed per page, not per value: integers exactly with ``sum``, and money, which PeerClick sends in
    cents, as whole cents. A float equal to (its cent count) / 100, with fewer than 15 digits, is exactly
    that decimal: no other decimal of 15 digits or fewer reads as the same float, so its shortest repr is
    it. Any other value takes ``_number``'s exact path, one at a time.
    """
    kinds = set(map(type, values))
    if kinds == {int}:
        return Decimal(sum(values)), True
    if kinds <= {int, float}:
        cents = _cent_sum(values)
        if cents is not None:
            return Decimal(cents).scaleb(-2), False
    numbers = [_number(value, column) for value in values]
    return sum((number for number, _ in numbers), Decimal(0)), all(integral for _, integral in numbers)


def _cent_sum(values: list[float | int]) -> int | None:
    """The sum of ``values`` in cents when each is a whole number of cents below ``_EXACT_CENTS``; else
    None. Vectorized with Arrow where the landing already loaded it (Parquet, Iceberg): the same IEEE
    operations, so the same answer, without a Python object per value."""
    if "pyarrow" in sys.modules and values:
        return _arrow_cent_sum(values)
    try:
        cents = list(map(round, map(operator.mul, values, repeat(100.0))))
    except (ValueError, OverflowError):  # NaN or infinity, which _number names
        return None
    # Whole C loops: a list compares element by element, max and min scan.
    if (
        cents
        and min(cents) > -_EXACT_CENTS
        and max(cents) < _EXACT_CENTS
        and list(map(operator.truediv, cents, repeat(100))) == values
    ):
        return sum(cents)
    return None


def _arrow_cent_sum(values: list[float | int]) -> int | None:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        # Exact for every value the check below can accept (under 2**53).
        floats = pa.array(values, type=pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    cents = pc.round(pc.multiply(floats, 100.0), round_mode="half_to_even")
    if not pc.all(pc.equal(pc.divide(cents, 100.0), floats)).as_py():  # NaN equals nothing
        return None
    bounds = pc.min_max(cents).as_py()
    if not -_EXACT_CENTS < bounds["min"] <= bounds["max"] < _EXACT_CENTS:  # infinity is out too
        return None
    whole = cents.cast(pa.int64())
    if len(whole) * max(-bounds["min"], bounds["max"]) < 2**63:  # int64 sums cannot overflow then
        return int(pc.sum(whole).as_py())
    return sum(whole.to_pylist())


# 15 significant digits: what a float holds exactly whatever its decimal (DBL_DIG).
_EXACT_CENTS = 10**15


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
        """Count a page's rows; the report's totals must be the same on every page."""
        if self.totals is None:
            self.totals, self.total_rows = dict(page.totals), page.total_rows
        elif page.totals != self.totals:
            raise PeerClickReconciliationError(
                f"The report's totals changed while it was being read (page at row {page.offset} has "
                f"{page.totals}, the first page had {self.totals}); nothing was committed. Try again later."
            )
        self.add_rows(page.rows)

    def add_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Add rows to the counts and sums."""
        self.rows += len(rows)
        for column in ADDITIVE_COLUMNS:
            try:
                values = list(map(itemgetter(column), rows))
            except KeyError:
                values = [row[column] for row in rows if column in row]
            if values:
                self._in_rows.add(column)
                total, integral = _page_sum(values, column)
                self._sums[column] += total
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
        """The sums of the reconciled columns so far."""
        return {column: self._sums[column] for column in self.reconciled}
