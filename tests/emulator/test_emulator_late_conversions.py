"""Late conversions: a day's conversions and revenue keep growing for some days, by the emulator's clock."""

from __future__ import annotations

import pytest
import requests

from ..conftest import UNTHROTTLED_ARGS

DAY = {"from": "2026-11-20", "to": "2026-11-21", "groupBy": "campaign", "tz": "Europe/Berlin"}


def seen_on(emulator, when: str, **params) -> dict:
    emulator._control("POST", "clock", json={"now": when})
    answer = emulator.session().get(f"{emulator.base_url}/report", params={**DAY, **params}, timeout=30)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture(scope="module")
def late():
    from ..conftest import Emulator, start_test_emulator

    with start_test_emulator("--late-conversions", "3", *UNTHROTTLED_ARGS) as process:
        yield Emulator(process)


def test_conversions_and_revenue_grow_for_the_days_after_then_stay(late, emulator_unthrottled):
    # Day 0 is the click's day; with --late-conversions 3 its last postbacks arrive on day 3.
    days = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-30"]
    seen = [seen_on(late, f"{day}T06:00:00+00:00", limit="10000") for day in days]
    conversions = [answer["totals"]["conversions"] for answer in seen]
    revenue = [answer["totals"]["revenue"] for answer in seen]
    assert conversions[0] < conversions[1] < conversions[2] < conversions[3] == conversions[4]
    assert revenue[0] < revenue[1] < revenue[2] < revenue[3] == revenue[4]
    # Clicks, visits and cost are known at once; only conversions (and what follows from them) arrive late.
    assert {answer["totals"]["visits"] for answer in seen} == {seen[0]["totals"]["visits"]}
    assert {answer["totals"]["cost"] for answer in seen} == {seen[0]["totals"]["cost"]}
    # Once every postback is in, the day is what an emulator without late conversions shows at once.
    final = seen_on(emulator_unthrottled, "2026-11-21T06:00:00+00:00", limit="10000")
    assert seen[-1]["totals"] == final["totals"]
    for answer in seen:
        assert answer["totals"]["conversions"] == sum(row["conversions"] for row in answer["rows"])


def test_the_same_clock_gives_the_same_numbers(late):
    first = seen_on(late, "2026-11-22T01:00:00+00:00")
    second = seen_on(late, "2026-11-22T23:00:00+00:00")
    assert first["totals"] == second["totals"]


def test_without_the_switch_the_clock_changes_nothing(emulator_unthrottled):
    early = seen_on(emulator_unthrottled, "2026-11-21T06:00:00+00:00")
    later = seen_on(emulator_unthrottled, "2026-12-21T06:00:00+00:00")
    assert early["totals"] == later["totals"]


@pytest.mark.parametrize(
    "body", [{"now": "2026-11-21T06:00:00"}, {"now": "soon"}, {"later": 1}, {"advance": "x"}]
)
def test_a_bad_clock_setting_is_400(late, body):
    answer = requests.post(f"{late.root_url}/__emulator__/clock", json=body, timeout=10)
    assert answer.status_code == 400


def test_the_clock_advances_and_returns_to_real_time(late):
    set_to = late._control("POST", "clock", json={"now": "2026-11-21T06:00:00+00:00"})
    assert set_to["now"] == "2026-11-21T06:00:00+00:00"
    assert late._control("POST", "clock", json={"advance": 86400})["now"] == "2026-11-22T06:00:00+00:00"
    assert late._control("POST", "clock", json={"now": None})["fixed"] is False
