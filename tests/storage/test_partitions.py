"""Windows become non-overlapping day (or hour) partitions, named by a layout the user may choose."""

from __future__ import annotations

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks.peerclick import ReportQuery
from airflow_provider_peerclick.storage import PartitionLayout, partition_key, split_window
from airflow_provider_peerclick.storage.partitions import (
    DEFAULT_DAY_TEMPLATE,
    DEFAULT_HOUR_TEMPLATE,
    check_distinct,
)


def window(start: str, end: str, tz: str = "UTC") -> ReportQuery:
    return ReportQuery.build(start=start, end=end, group_by="campaign", tz=tz)


def keys(query: ReportQuery, layout: PartitionLayout | None = None) -> list[str]:
    return [partition_key(piece, layout) for piece in split_window(query)]


def test_a_seven_day_window_is_seven_day_partitions():
    pieces = list(split_window(window("2026-11-17", "2026-11-24", "Europe/Berlin")))
    assert [partition_key(piece) for piece in pieces] == [f"date=2026-11-{day}" for day in range(17, 24)]
    assert [piece.start.isoformat() for piece in pieces[:2]] == [
        "2026-11-17T00:00:00+01:00",
        "2026-11-18T00:00:00+01:00",
    ]
    assert pieces[-1].end.isoformat() == "2026-11-24T00:00:00+01:00"


def test_consecutive_rolling_windows_share_partitions_instead_of_overlapping_ones():
    first = set(keys(window("2026-11-17", "2026-11-24")))
    second = set(keys(window("2026-11-18", "2026-11-25")))
    assert first & second == {f"date=2026-11-{day}" for day in range(18, 24)}


def test_hours_of_partial_days_are_hour_partitions():
    assert keys(window("2026-11-24T05:00:00", "2026-11-24T06:00:00")) == ["date=2026-11-24/hour=05+0000"]
    assert keys(window("2026-11-23T22:00:00", "2026-11-25T01:00:00", "Europe/Berlin")) == [
        "date=2026-11-23/hour=22+0100",
        "date=2026-11-23/hour=23+0100",
        "date=2026-11-24",
        "date=2026-11-25/hour=00+0100",
    ]


@pytest.mark.parametrize(("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25)])
def test_days_of_a_clock_change_are_one_partition_of_their_real_length(day, hours):
    query = window(day, pendulum_next(day), "Europe/Berlin")
    (piece,) = split_window(query)
    assert partition_key(piece) == f"date={day}"
    assert piece.end.timestamp() - piece.start.timestamp() == hours * 3600


def pendulum_next(day: str) -> str:
    import pendulum

    return pendulum.parse(day).add(days=1).to_date_string()  # type: ignore[union-attr]


def test_a_template_matches_an_existing_lake_layout():
    layout = PartitionLayout("year={year}/month={month}/day={day}", "{year}/{month}/{day}/{hour}{offset}")
    assert keys(window("2026-11-23T23:00:00", "2026-11-25"), layout) == [
        "2026/11/23/23+0000",
        "year=2026/month=11/day=24",
    ]


@pytest.mark.parametrize(
    ("day", "hour", "message"),
    [
        ("dt={ds}", "date={date}/hour={hour}", r"unknown fields \['ds'\]"),
        ("/abs/{date}", "date={date}/hour={hour}", "must be relative"),
        ("{date}/../x", "date={date}/hour={hour}", "must be relative"),
        ("month={year}-{month}", "date={date}/hour={hour}", "different days the same folder"),
        ("date={date}", "date={date}", "different hours the same folder"),
        ("date={date}", "date={date}/hour={hour}{offset", "partition_template"),
        ("", "date={date}/hour={hour}", "partition_template: got ''"),
    ],
)
def test_templates_that_cannot_work_are_refused(day, hour, message):
    with pytest.raises(PeerClickInvalidArgumentError, match=message):
        PartitionLayout(day, hour)


def test_the_default_templates_that_layouts_skip_checking_are_distinct():
    # PartitionLayout() does not check the defaults (a cost paid at every parse); this is that check.
    check_distinct(DEFAULT_DAY_TEMPLATE, DEFAULT_HOUR_TEMPLATE)
    with pytest.raises(PeerClickInvalidArgumentError, match="different days the same folder"):
        check_distinct("{year}/{month}", DEFAULT_HOUR_TEMPLATE)
