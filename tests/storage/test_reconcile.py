from __future__ import annotations

import random
import sys
from decimal import Decimal

import pytest

from airflow_provider_peerclick.hooks.peerclick import ReportPage
from airflow_provider_peerclick.storage import reconcile as reconcile_module
from airflow_provider_peerclick.storage.errors import PeerClickReconciliationError
from airflow_provider_peerclick.storage.reconcile import Reconciler

from .conftest import COLUMNS, make_rows, paged, totals_of


def reconcile(pages: list[ReportPage]) -> Reconciler:
    reconciler = Reconciler(COLUMNS)
    for page in pages:
        reconciler.add_page(page)
    reconciler.check()
    return reconciler


def test_rows_that_add_up_pass_and_ratio_columns_are_not_summed():
    reconciler = reconcile(paged(make_rows(250), 100))
    assert reconciler.rows == 250
    assert set(reconciler.sums()) == {"visits", "clicks", "revenue", "cost"}


def test_money_is_summed_exactly_not_with_float_drift():
    rows = [{"campaignId": n, "visits": 1, "clicks": 0, "revenue": 0.1, "cost": 0.0} for n in range(10)]
    reconciler = reconcile(paged(rows, 10, totals={"visits": 10, "clicks": 0, "revenue": 1.0, "cost": 0.0}))
    assert reconciler.sums()["revenue"] == Decimal("1.0")  # exactly: ten float 0.1s sum to 0.9999999999999999


def test_an_integer_column_must_match_exactly():
    rows = make_rows(20)
    totals = {**totals_of(rows), "clicks": totals_of(rows)["clicks"] + 1}
    with pytest.raises(
        PeerClickReconciliationError, match=r"Column 'clicks': the 20 rows sum to 190 but .* 191"
    ):
        reconcile(paged(rows, 20, totals))


def test_money_may_differ_by_per_row_rounding_but_no_more():
    rows = make_rows(20)
    total = totals_of(rows)["revenue"]
    reconcile(paged(rows, 20, {**totals_of(rows), "revenue": round(total + 0.1, 2)}))
    with pytest.raises(PeerClickReconciliationError, match=r"'revenue'.*allowed difference 0.105"):
        reconcile(paged(rows, 20, {**totals_of(rows), "revenue": round(total + 0.11, 2)}))


def test_fewer_rows_than_announced_fail():
    rows = make_rows(10)
    pages = [ReportPage(0, 11, totals_of(rows), rows)]
    with pytest.raises(PeerClickReconciliationError, match="Fetched 10 rows but PeerClick announced 11"):
        reconcile(pages)


def test_totals_that_change_between_pages_fail():
    rows = make_rows(10)
    first, second = paged(rows, 5)
    changed = ReportPage(second.offset, second.total_rows, {**second.totals, "visits": 0}, second.rows)
    with pytest.raises(PeerClickReconciliationError, match="totals changed while it was being read"):
        reconcile([first, changed])


def test_a_non_number_fails():
    rows = make_rows(3)
    totals = totals_of(rows)
    rows[1]["visits"] = "many"
    with pytest.raises(PeerClickReconciliationError, match="'visits' holds 'many'"):
        reconcile(paged(rows, 3, totals))


def without(rows: list[dict], totals: dict, column: str) -> tuple[list[dict], dict]:
    return [{k: v for k, v in row.items() if k != column} for row in rows], {
        k: v for k, v in totals.items() if k != column
    }


def test_a_column_missing_from_rows_and_totals_is_recorded_not_failed():
    rows, totals = without(make_rows(6), totals_of(make_rows(6)), "cost")
    reconciler = reconcile(paged(rows, 3, totals))
    assert reconciler.reconciled == ("visits", "clicks", "revenue")
    assert reconciler.not_returned == ("cost",)


def test_a_column_in_the_rows_but_not_the_totals_fails():
    rows = make_rows(3)
    _, totals = without(rows, totals_of(rows), "cost")
    with pytest.raises(PeerClickReconciliationError, match="rows have column 'cost' but its totals do not"):
        reconcile(paged(rows, 3, totals))


def test_a_column_in_the_totals_but_not_the_rows_fails():
    rows, _ = without(make_rows(3), {}, "revenue")
    with pytest.raises(PeerClickReconciliationError, match="totals have column 'revenue' but its rows"):
        reconcile(paged(rows, 3, totals_of(make_rows(3))))


def test_additive_columns_returned_without_being_asked_are_reconciled_too():
    rows = [{**row, "conversions": 1} for row in make_rows(4)]
    totals = {**totals_of(rows), "conversions": 5}
    with pytest.raises(PeerClickReconciliationError, match=r"Column 'conversions'.*sum to 4 .* total is 5"):
        reconcile(paged(rows, 4, totals))
    reconciler = reconcile(paged(rows, 4, {**totals, "conversions": 4}))
    assert "conversions" in reconciler.reconciled


def test_an_empty_report_reconciles_what_its_totals_hold():
    reconciler = reconcile(paged([], 10, {"visits": 0, "clicks": 0, "revenue": 0.0}))
    assert reconciler.reconciled == ("visits", "clicks", "revenue")
    assert reconciler.not_returned == ("cost",)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.125] * 8, Decimal("1.000")),  # finer than cents: each value by its exact decimal
        ([0.1, 0.125, 2], Decimal("2.225")),  # one such value sends the page down the exact path
        ([1e13 + 0.25, 0.75], Decimal("10000000000001.00")),  # beyond 15 digits of cents
        ([19.99, 0.01, 5], Decimal("25.00")),  # integers among money
    ],
)
def test_a_page_of_money_sums_to_the_exact_decimal_of_its_values(values, expected):
    rows = [{"campaignId": n, "visits": 1, "revenue": value} for n, value in enumerate(values)]
    total = {"visits": len(values), "revenue": float(expected)}
    assert reconcile(paged(rows, len(rows), totals=total)).sums()["revenue"] == expected


EDGE_VALUES = [
    0.125,  # 12.5 cents: not whole cents
    0.1 + 0.2,  # 0.30000000000000004
    -0.0,
    7,
    -12.34,
    99_999_999_999.99,  # just below 10**13 (10**15 cents)
    10_000_000_000_000.0,  # 10**15 cents: beyond what a float holds exactly as a decimal
    2**60,
    float("nan"),
    float("inf"),
    -float("inf"),
]


def _cent_sums(values):
    pytest.importorskip("pyarrow")
    with_arrow = reconcile_module._cent_sum(values)
    saved = sys.modules.pop("pyarrow")
    try:
        without = reconcile_module._cent_sum(values)
    finally:
        sys.modules["pyarrow"] = saved
    return with_arrow, without


@pytest.mark.parametrize("seed", range(40))
def test_money_sums_the_same_with_arrow_as_without(seed):
    # Where a Parquet landing loaded pyarrow the cents are summed by Arrow: the same IEEE operations.
    chooser = random.Random(seed)
    values = [chooser.randint(-(10**9), 10**9) / 100 for _ in range(chooser.randint(1, 3000))]
    if seed % 2:
        values[chooser.randrange(len(values))] = chooser.choice(EDGE_VALUES)
    with_arrow, without = _cent_sums(values)
    assert with_arrow == without
    if not seed % 2:
        assert with_arrow == sum(round(value * 100) for value in values)


@pytest.mark.parametrize("edge", EDGE_VALUES, ids=repr)
def test_every_edge_value_is_judged_alike_with_and_without_arrow(edge):
    with_arrow, without = _cent_sums([1.25, edge, 3])
    assert with_arrow == without
    whole = edge in (-0.0, 7, -12.34, 99_999_999_999.99)
    assert (with_arrow is not None) == whole
