"""lookback_days: re-check trailing days with one request each, re-land only those PeerClick changed."""

from __future__ import annotations

import json

import pendulum
import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator

pytestmark = pytest.mark.slow

NOV = pendulum.datetime(2026, 11, 1, tz="UTC")


def day(number: int) -> pendulum.DateTime:
    return NOV.add(days=number - 1)


@pytest.fixture
def late_server(emulator_factory):
    return emulator_factory("--late-conversions", "3")


def at(server, when: str) -> None:
    server.process.control("POST", "clock", json={"now": when})


def report_requests(server) -> int:
    return server.stats()["buckets"]["reports"]["requests"]


def manifest(lake, partition: str) -> dict:
    return json.loads((lake / "campaign" / partition / "_manifest.json").read_text())


def test_a_day_whose_totals_grew_is_restated_with_its_history(late_server, land_from, lake):
    at(late_server, "2026-11-21T06:00:00+00:00")
    first = land_from(late_server, day(20))
    old_totals = first["partitions"][0]["totals"]

    at(late_server, "2026-11-22T06:00:00+00:00")
    before = report_requests(late_server)
    second = land_from(late_server, day(21), lookback_days=2)

    # The window (1) and the 20th's check (1), whose one page is what the 20th is re-landed from; the 19th
    # was never landed: no request.
    assert report_requests(late_server) - before == 2
    (restated,) = second["restated"]
    assert restated["partition"] == "date=2026-11-20"
    assert restated["previous_totals"] == old_totals
    assert restated["totals"]["conversions"] > old_totals["conversions"]
    assert restated["totals"]["revenue"] > old_totals["revenue"]
    assert restated["totals"]["visits"] == old_totals["visits"]

    landed = manifest(lake, "date=2026-11-20")
    assert landed["reason"] == "restated"
    assert landed["totals"] == restated["totals"]
    assert [entry["totals"] for entry in landed["history"]] == [old_totals]
    assert landed["history"][0]["reason"] == "window"
    assert manifest(lake, "date=2026-11-21")["history"] == []

    (extra,) = second["asset_events"].values()
    assert extra["restated"] == ["date=2026-11-20"]
    assert extra["changed"] == ["date=2026-11-20", "date=2026-11-21"]
    assert late_server.stats()["refused"] == 0


def test_a_changed_day_of_several_pages_is_landed_from_the_checked_page_on(late_server, land_from, lake):
    at(late_server, "2026-11-21T06:00:00+00:00")
    first = land_from(late_server, day(20), page_size=10)
    pages = -(-first["row_count"] // 10)
    assert pages > 1

    at(late_server, "2026-11-22T06:00:00+00:00")
    before = report_requests(late_server)
    second = land_from(late_server, day(21), page_size=10, lookback_days=1)

    # The window's pages, then the 20th's pages, the first of them being its check: none asked twice.
    window_pages = -(-second["partitions"][0]["row_count"] // 10)
    assert report_requests(late_server) - before == window_pages + pages
    (restated,) = second["restated"]
    landed = manifest(lake, "date=2026-11-20")
    assert landed["row_count"] == first["row_count"] == restated["row_count"]
    assert landed["totals"] == restated["totals"] != first["partitions"][0]["totals"]
    rows = [
        json.loads(line)
        for entry in landed["files"]
        for line in (lake / "campaign" / "date=2026-11-20" / entry["name"]).read_text().splitlines()
    ]
    assert len(rows) == landed["row_count"]
    assert len({json.dumps(row, sort_keys=True) for row in rows}) == len(rows)  # no page read twice


def test_unchanged_days_cost_one_request_and_are_not_rewritten(late_server, land_from, lake):
    at(late_server, "2026-11-26T06:00:00+00:00")  # the 20th and 21st are final by now
    land_from(late_server, day(20))
    land_from(late_server, day(21))
    untouched = (lake / "campaign" / "date=2026-11-20" / "_manifest.json").read_bytes()
    before = report_requests(late_server)
    result = land_from(late_server, day(22), lookback_days=2)
    assert report_requests(late_server) - before == 1 + 2
    assert result["restated"] == []
    assert (lake / "campaign" / "date=2026-11-20" / "_manifest.json").read_bytes() == untouched
    (extra,) = result["asset_events"].values()
    assert extra["changed"] == ["date=2026-11-22"]


@pytest.mark.parametrize("bad", [-1, 63, "3", True])
def test_lookback_days_are_checked_when_the_dag_is_parsed(bad):
    with pytest.raises(PeerClickInvalidArgumentError, match="lookback_days"):
        PeerClickReportToStorageOperator(
            task_id="land", destination="file:///data", group_by="campaign", lookback_days=bad
        )
