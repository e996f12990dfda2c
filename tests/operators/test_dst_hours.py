"""Hourly runs across both 2026 clock changes in Europe/Berlin, against the emulator."""

from __future__ import annotations

import json

import pendulum
import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("day", "partitions"),
    [
        # Clocks go back at 03:00+02:00: 02:00 happens twice, as two partitions with two hours of data.
        (
            pendulum.datetime(2026, 10, 25, tz="UTC"),
            ["date=2026-10-25/hour=02+0200", "date=2026-10-25/hour=02+0100"],
        ),
        # Clocks go forward at 02:00+01:00: 01:00 is followed by 03:00, and no hour is lost.
        (
            pendulum.datetime(2026, 3, 29, tz="UTC"),
            ["date=2026-03-29/hour=01+0100", "date=2026-03-29/hour=03+0200"],
        ),
    ],
)
def test_hourly_runs_land_each_utc_hour_as_its_own_partition(
    land_interval, lake_files, api_report, emulator, day, partitions
):
    landed = []
    for hour in range(2):
        start = day.add(hours=hour)
        result = land_interval(start, start.add(hours=1), columns=["visits"], tz="Europe/Berlin")
        (partition,) = result["partitions"]
        landed.append(partition["partition"])
        # The hour landed is exactly that UTC hour, as an emulator asked in UTC tells.
        assert (
            partition["totals"]
            == api_report(start=start, end=start.add(hours=1), columns=["visits"])["totals"]
        )
        manifest = json.loads(lake_files()[f"campaign/{partition['partition']}/_manifest.json"])
        assert pendulum.parse(manifest["query"]["start"]) == start
        assert pendulum.parse(manifest["query"]["end"]) == start.add(hours=1)
    assert landed == partitions
    assert emulator.stats()["refused"] == 0
