"""Hours across both 2026 clock changes in Europe/Berlin: distinct queries, distinct partitions."""

from __future__ import annotations

import pendulum
import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks.peerclick import ReportQuery
from airflow_provider_peerclick.storage import PartitionLayout, partition_key, split_window

BERLIN = "Europe/Berlin"
UTC = pendulum.timezone("UTC")


def utc_hour(day: int, month: int, hour: int) -> ReportQuery:
    start = pendulum.datetime(2026, month, day, hour, tz=UTC)
    return ReportQuery.build(
        start=start.in_timezone(BERLIN),
        end=start.add(hours=1).in_timezone(BERLIN),
        group_by="campaign",
        tz=BERLIN,
    )


def test_the_repeated_hour_in_october_is_a_valid_query_each_time():
    # 00:00-01:00 UTC is 02:00+02:00-02:00+01:00 in Berlin: the same wall time, one hour apart.
    first, second = utc_hour(25, 10, 0), utc_hour(25, 10, 1)
    assert first.end.timestamp() - first.start.timestamp() == 3600
    assert first.params()["from"] != second.params()["from"]
    assert first.params()["to"] == second.params()["from"]


def test_ambiguous_wall_times_are_sent_with_their_offset_and_others_as_before():
    october = utc_hour(25, 10, 0).params()
    assert (october["from"], october["to"]) == ("2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00")
    assert utc_hour(25, 10, 1).params()["to"] == "2026-10-25T03:00:00"
    march = utc_hour(29, 3, 0).params()
    assert (march["from"], march["to"]) == ("2026-03-29T01:00:00", "2026-03-29T03:00:00")


def test_start_after_end_is_still_refused_across_the_change():
    with pytest.raises(PeerClickInvalidArgumentError, match=r"end: .*a time after start"):
        ReportQuery.build(
            start="2026-10-25T02:00:00+01:00", end="2026-10-25T02:00:00+02:00", group_by="day", tz=BERLIN
        )


@pytest.mark.parametrize(
    ("day", "month", "expected"),
    [
        (
            25,
            10,
            [
                "date=2026-10-25/hour=01+0200",
                "date=2026-10-25/hour=02+0200",
                "date=2026-10-25/hour=02+0100",
                "date=2026-10-25/hour=03+0100",
            ],
        ),
        (
            29,
            3,
            [
                "date=2026-03-29/hour=00+0100",
                "date=2026-03-29/hour=01+0100",
                "date=2026-03-29/hour=03+0200",
                "date=2026-03-29/hour=04+0200",
            ],
        ),
    ],
)
def test_hour_partitions_stay_distinct_on_both_changes(day, month, expected):
    start = pendulum.datetime(2026, month, day, tz=UTC).subtract(hours=1)
    window = ReportQuery.build(
        start=start.in_timezone(BERLIN),
        end=start.add(hours=4).in_timezone(BERLIN),
        group_by="campaign",
        tz=BERLIN,
    )
    assert [partition_key(piece) for piece in split_window(window)] == expected


def test_an_hour_template_that_cannot_tell_the_repeated_hour_apart_is_refused():
    with pytest.raises(PeerClickInvalidArgumentError, match=r"\{offset\} or \{utc_hour\}"):
        PartitionLayout("date={date}", "date={date}/hour={hour}")
    layout = PartitionLayout("date={date}", "{utc_date}/{utc_hour}")
    assert partition_key(utc_hour(25, 10, 1), layout) == "2026-10-25/01"
