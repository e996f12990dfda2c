"""Reports against the live emulator: lazy paging, totals, and arguments refused before sending."""

from __future__ import annotations

import math
import re

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks._arguments import ADDITIVE_COLUMNS
from airflow_provider_peerclick.hooks.peerclick import ReportQuery

DAY = {"start": "2026-11-24", "end": "2026-11-25"}


@pytest.mark.slow
def test_paging_reads_every_row_once_one_page_at_a_time(emulator, make_hook):
    hook = make_hook()
    summary = hook.get_report_summary(**DAY, group_by="campaign")
    size = math.ceil(summary.total_rows / 6)  # six pages or so
    before = emulator.stats()["buckets"]["reports"]["requests"]
    rows = list(hook.iter_report(**DAY, group_by="campaign", page_size=size))
    pages = emulator.stats()["buckets"]["reports"]["requests"] - before
    assert pages == math.ceil(summary.total_rows / size) >= 5
    assert len(rows) == summary.total_rows
    assert len({row["campaignId"] for row in rows}) == len(rows)
    for column in ("visits", "clicks", "conversions"):
        assert sum(row[column] for row in rows) == summary.totals[column]
    assert sum(row["revenue"] for row in rows) == pytest.approx(summary.totals["revenue"], abs=0.01)


def test_pages_are_fetched_only_as_they_are_consumed(emulator, make_hook):
    hook = make_hook()
    pages = hook.iter_report_pages(**DAY, group_by="campaign", page_size=1)
    assert emulator.stats()["buckets"]["reports"]["requests"] == 0
    first = next(pages)
    assert len(first.rows) == 1
    assert emulator.stats()["buckets"]["reports"]["requests"] == 1


def test_totals_and_requested_columns(emulator, make_hook):
    hook = make_hook()
    totals = hook.get_report_totals(**DAY, group_by="country", columns=["visits", "clicks", "ctr"])
    assert {"visits", "clicks", "ctr"} <= set(totals)
    assert totals["ctr"] == pytest.approx(totals["clicks"] / totals["visits"] * 100, abs=1e-3)


def test_filters_narrow_the_report(emulator, make_hook):
    hook = make_hook()
    campaign = next(hook.iter_report(**DAY, group_by="campaign", page_size=1))
    rows = list(hook.iter_report(**DAY, group_by="day", filters={"campaign": campaign["campaignId"]}))
    assert [row["visits"] for row in rows] == [campaign["visits"]]


@pytest.mark.parametrize(
    "call",
    [
        lambda h: h.iter_report(start="2026-11-24T00:15", end="2026-11-25", group_by="campaign"),
        lambda h: h.iter_report(start="2026-11-25", end="2026-11-24", group_by="campaign"),
        lambda h: h.iter_report(**DAY, group_by="campaigns"),
        lambda h: h.iter_report(**DAY, group_by="offer", columns=["visits", "epc2"]),
        lambda h: h.iter_report(**DAY, group_by="offer", tz="Europe/Nowhere"),
        lambda h: h.iter_report(**DAY, group_by="offer", page_size=0),
        lambda h: h.get_report_totals(**DAY, group_by="offer", filters={"affiliate": 3}),
        lambda h: h.get_campaign(0),
        lambda h: h.get_offer("twelve"),
        lambda h: h.update_campaign(-1, {"status": "PAUSED"}),
        lambda h: h.update_offer(3, {}),
        lambda h: h.create_campaign([]),
        lambda h: h.request("GET", "https://elsewhere.test/campaign"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(emulator, make_hook, call):
    with pytest.raises(PeerClickInvalidArgumentError):
        call(make_hook())
    assert emulator.stats()["requests"] == 0


def test_additive_columns_are_the_ones_that_sum():
    assert set(ADDITIVE_COLUMNS) == {"visits", "clicks", "conversions", "revenue", "cost", "profit"}


@pytest.mark.slow
def test_a_report_query_is_taken_as_it_is_and_alone(emulator, make_hook):
    hook = make_hook()
    query = ReportQuery.build(**DAY, group_by="country", columns=["visits", "clicks"])
    assert hook.get_report_summary(query=query) == hook.get_report_summary(**query.to_json())
    assert (
        len(list(hook.iter_report(query=query, page_size=7)))
        == hook.get_report_summary(query=query).total_rows
    )
    requests = emulator.stats()["requests"]
    for call, named in [
        (
            lambda: hook.get_report_summary(query=query, page_size=1),
            "get_report_summary(query=..., page_size",
        ),
        (lambda: hook.iter_report(query=query, group_by="day"), "iter_report(query=..., group_by"),
        (lambda: hook.iter_report_pages(query=query.to_json()), "query: got {"),
    ]:
        with pytest.raises(PeerClickInvalidArgumentError, match=re.escape(named)):
            call()
    assert emulator.stats()["requests"] == requests
