"""Hourly tables: a window that covers part of a day lands hour by hour, the hour a clock change repeats
included, and never beside whole days in one table."""

from __future__ import annotations

import pendulum
import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

from .conftest import day, instant, report_totals, sums_of

pytestmark = pytest.mark.slow

BERLIN = "Europe/Berlin"


def test_part_of_a_day_lands_as_hours_that_sum_to_peerclick(land_sql, database, emulator):
    start = day(2).add(hours=5)
    result = land_sql(emulator, start, start.add(hours=3))
    again = land_sql(emulator, start.add(hours=1), start.add(hours=2))  # a rerun of one hour

    hours = [start.add(hours=number) for number in range(3)]
    assert [instant(entry["hour"]) for entry in result["partitions"]] == hours
    assert [instant(entry["hour"]) for entry in again["partitions"]] == hours[1:2]
    assert {entry["date"] for entry in result["partitions"]} == {"2026-11-02"}
    expected = {hour: sums_of(*report_totals(emulator, hour, hour.add(hours=1))) for hour in hours}
    assert database.hour_sums() == expected
    loads = database.rows(f"SELECT partition, hour, row_count FROM {database.loads}")
    assert sorted((instant(name), instant(hour)) for name, hour, _ in loads) == [(h, h) for h in hours]
    assert sorted(count for _, _, count in loads) == sorted(count for count, *_ in expected.values())
    assert emulator.stats()["refused"] == 0


def test_a_table_of_whole_days_refuses_part_of_a_day_before_any_request(land_sql, database, emulator):
    land_sql(emulator, day(1))
    requests = emulator.stats()["requests"]
    with pytest.raises(
        PeerClickInvalidArgumentError, match=r"covers part of 2026-11-02 only, and .* whole days"
    ):
        land_sql(emulator, day(2), day(2).add(hours=12))
    assert emulator.stats()["requests"] == requests
    assert list(database.day_sums()) == ["2026-11-01"]


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_an_hourly_table_lands_the_autumn_day_as_25_hours_and_restates_them(
    land_sql, database, emulator_factory
):
    late = emulator_factory("--late-conversions", "3")
    late.process.control("POST", "clock", json={"now": "2026-10-26T06:00:00+00:00"})
    next_day = pendulum.datetime(2026, 10, 26, tz=BERLIN)
    land_sql(late, next_day, next_day.add(hours=1), tz=BERLIN)  # part of a day: the table is hourly

    autumn = pendulum.datetime(2026, 10, 25, tz=BERLIN)
    result = land_sql(late, autumn, next_day, tz=BERLIN)

    hours = [entry["hour"] for entry in result["partitions"]]
    assert len(hours) == len(set(hours)) == 25
    assert [hour[11:13] for hour in hours].count("02") == 2  # 02:00+02:00, then 02:00+01:00
    landed = {hour: sums for hour, sums in database.hour_sums().items() if hour < next_day}
    assert sorted(landed) == [instant(hour) for hour in hours]
    # Clicks, conversions and revenue of the hours add up to the day's; rows are per hour, not per day.
    _, clicks, conversions, revenue = (sum(column) for column in zip(*landed.values(), strict=True))
    expected = sums_of(*report_totals(late, autumn, next_day, tz=BERLIN))
    assert (clicks, conversions, round(revenue, 2)) == expected[1:]

    late.process.control("POST", "clock", json={"now": "2026-10-27T06:00:00+00:00"})
    later = land_sql(late, next_day.add(hours=1), next_day.add(hours=2), tz=BERLIN, lookback_days=1)

    restated = [entry["partition"] for entry in later["restated"]]
    assert restated, "late conversions changed some hours of the autumn day"
    assert set(restated) <= set(hours)
    landed = {hour: sums for hour, sums in database.hour_sums().items() if hour < next_day}
    for name in restated:
        hour = instant(name)
        assert landed[hour] == sums_of(*report_totals(late, hour, hour.add(hours=1), tz=BERLIN))
    assert late.stats()["refused"] == 0
