"""GET /report: validation, determinism, totals that reconcile with rows, paging, sorting, filters."""

from __future__ import annotations

import pytest

FROM_TO = {"from": "2026-03-01", "to": "2026-03-04"}
GROUPINGS = {
    "campaign": "campaignId",
    "offer": "offerId",
    "traffic-source": "trafficSourceId",
    "country": "countryCode",
    "day": "day",
    "hour-of-day": "hourOfDay",
}
ADDITIVE = ("visits", "clicks", "conversions", "revenue", "cost", "profit")
RATIOS = {
    "cr": ("conversions", "clicks", 100),
    "epc": ("revenue", "clicks", 1),
    "cpv": ("cost", "visits", 1),
    "cpc": ("cost", "clicks", 1),
    "ctr": ("clicks", "visits", 100),
    "roi": ("profit", "cost", 100),
}


@pytest.fixture
def get_report(emulator_unthrottled):
    session = emulator_unthrottled.session()

    def get(**params):
        return session.get(f"{emulator_unthrottled.base_url}/report", params=params, timeout=30)

    return get


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"from": "2026-03-01T10:30:00", "to": "2026-03-02", "groupBy": "day"}, "whole hour"),
        ({"from": "2026-03-01", "to": "2026-03-01T05:00:07", "groupBy": "day"}, "whole hour"),
        ({"from": "2026-03-02", "to": "2026-03-02", "groupBy": "day"}, "before"),
        ({"from": "2026-03-03", "to": "2026-03-02", "groupBy": "day"}, "before"),
        ({"to": "2026-03-02", "groupBy": "day"}, "from"),
        ({**FROM_TO, "groupBy": "browser"}, "campaign, offer"),
        ({**FROM_TO}, "groupBy"),
        ({**FROM_TO, "groupBy": "day", "columns": "visits,bounces"}, "bounces"),
        ({**FROM_TO, "groupBy": "day", "tz": "Mars/Olympus"}, "time zone"),
        ({**FROM_TO, "groupBy": "day", "limit": "0"}, "limit"),
        ({**FROM_TO, "groupBy": "day", "limit": "10001"}, "limit"),
        ({**FROM_TO, "groupBy": "day", "offset": "-1"}, "offset"),
        ({**FROM_TO, "groupBy": "day", "sort": "nope"}, "sort"),
        ({**FROM_TO, "groupBy": "day", "include": "SOME"}, "include"),
        ({**FROM_TO, "groupBy": "day", "filter1": "campaign"}, "filter1Value"),
        ({**FROM_TO, "groupBy": "day", "filter1": "campaign", "filter1Value": "x"}, "filter1Value"),
    ],
)
def test_invalid_queries_are_400(get_report, params, needle):
    response = get_report(**params)
    assert response.status_code == 400
    assert needle in response.json()["description"]


def test_response_shape(get_report):
    body = get_report(**FROM_TO, groupBy="campaign", columns="visits,roi", limit=5).json()
    assert body["description"] == "Success"
    assert (body["offset"], body["limit"], body["truncated"], body["messages"]) == (0, 5, False, [])
    assert set(body["rows"][0]) == {"campaignId", "campaignName", "visits", "roi"}
    assert set(body["totals"]) == {"visits", "roi"}
    assert [m["key"] for m in body["columnMappings"]] == ["campaignId", "campaignName", "visits", "roi"]
    assert all({"key", "label", "type"} <= set(m) for m in body["columnMappings"])


def test_same_query_same_data_even_across_emulators(get_report, emulator):
    params = {**FROM_TO, "groupBy": "campaign", "limit": 1000}
    first = get_report(**params).json()
    assert get_report(**params).json() == first
    # The rate-limited shared emulator runs the same seed in another process.
    other = emulator.session().get(f"{emulator.base_url}/report", params=params, timeout=30).json()
    assert other == first


def test_utc_hours_sum_to_the_day(get_report):
    day = get_report(**{"from": "2026-03-01", "to": "2026-03-02"}, groupBy="day").json()
    hours = get_report(
        **{"from": "2026-03-01T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, groupBy="hour-of-day"
    ).json()
    assert day["totals"] == hours["totals"]
    assert [row["hourOfDay"] for row in hours["rows"]] == list(range(24))


def _assert_reconciles(body):
    rows, totals = body["rows"], body["totals"]
    for name in ("visits", "clicks", "conversions"):
        assert sum(row[name] for row in rows) == totals[name]
    for name in ("revenue", "cost", "profit"):
        assert sum(round(row[name] * 100) for row in rows) == round(totals[name] * 100)
    for name, (numerator, denominator, scale) in RATIOS.items():
        expected = round(totals[numerator] / totals[denominator] * scale, 4) if totals[denominator] else 0
        assert totals[name] == pytest.approx(expected, abs=1e-4)
    for row in rows:
        assert round(row["profit"] * 100) == round(row["revenue"] * 100) - round(row["cost"] * 100)
        assert row["clicks"] <= row["visits"]
        assert row["conversions"] <= row["clicks"]


@pytest.mark.parametrize("group_by", list(GROUPINGS))
def test_totals_reconcile_with_rows(get_report, group_by):
    body = get_report(**FROM_TO, groupBy=group_by, tz="America/New_York", limit=10000).json()
    assert body["totalRows"] == len(body["rows"]) > 0
    _assert_reconciles(body)


def test_totals_do_not_depend_on_grouping(get_report):
    totals = {
        g: get_report(**FROM_TO, groupBy=g, columns="visits,revenue,cost,roi").json()["totals"]
        for g in GROUPINGS
    }
    assert len({tuple(sorted(t.items())) for t in totals.values()}) == 1


@pytest.mark.parametrize(
    ("sort", "direction"), [(None, None), ("visits", "DESC"), ("cr", "ASC"), ("campaignName", "DESC")]
)
def test_pages_cover_every_row_once(get_report, sort, direction):
    params = {**FROM_TO, "groupBy": "campaign", "columns": "visits,cr"}
    if sort:
        params |= {"sort": sort, "direction": direction}
    full = get_report(**params, limit=10000).json()["rows"]
    paged, offset = [], 0
    while True:
        page = get_report(**params, limit=3, offset=offset).json()
        paged += page["rows"]
        offset += 3
        if offset >= page["totalRows"]:
            break
    assert paged == full
    assert len({row["campaignId"] for row in paged}) == len(full)
    if sort == "visits":
        assert [r["visits"] for r in full] == sorted((r["visits"] for r in full), reverse=True)
    if sort is None:
        assert [r["campaignId"] for r in full] == sorted(r["campaignId"] for r in full)


def test_offset_past_the_end_is_empty(get_report):
    body = get_report(**FROM_TO, groupBy="country", offset=10000).json()
    assert body["rows"] == []
    assert body["totalRows"] > 0


def test_filters_restrict_the_facts(get_report):
    campaigns = get_report(**FROM_TO, groupBy="campaign", limit=10000).json()["rows"]
    target = campaigns[0]
    filtered = get_report(
        **FROM_TO, groupBy="day", filter1="campaign", filter1Value=target["campaignId"]
    ).json()
    assert filtered["totals"]["visits"] == target["visits"]
    one_day = get_report(**FROM_TO, groupBy="campaign", filter1="day", filter1Value="2026-03-02").json()
    assert {row["day"] for row in get_report(**FROM_TO, groupBy="day").json()["rows"]} >= {"2026-03-02"}
    assert one_day["totals"]["visits"] < get_report(**FROM_TO, groupBy="campaign").json()["totals"]["visits"]


def test_days_are_bounded_in_the_requested_time_zone(get_report):
    body = get_report(
        **{"from": "2026-03-01", "to": "2026-03-02"}, groupBy="hour-of-day", tz="Asia/Tokyo"
    ).json()
    assert len(body["rows"]) == 24
    utc = get_report(
        **{"from": "2026-02-28T15:00:00Z", "to": "2026-03-01T15:00:00Z"}, groupBy="hour-of-day"
    ).json()
    assert body["totals"] == utc["totals"]
    offset_form = get_report(
        **{"from": "2026-03-01T00:00:00+09:00", "to": "2026-03-02T00:00:00+09:00"},
        groupBy="day",
        tz="Asia/Tokyo",
    ).json()
    assert offset_form["totals"] == body["totals"]
    assert [row["day"] for row in offset_form["rows"]] == ["2026-03-01"]


def test_omitted_columns_are_in_neither_rows_nor_totals(emulator_factory):
    emulator = emulator_factory("--omit-columns", "profit,roi")
    answer = emulator.session().get(
        f"{emulator.base_url}/report", params={**FROM_TO, "groupBy": "campaign"}, timeout=30
    )
    body = answer.json()
    assert answer.status_code == 200
    assert not {"profit", "roi"} & set(body["totals"])
    assert all("profit" not in row and "roi" not in row for row in body["rows"])
    assert {m["key"] for m in body["columnMappings"]} >= {"visits", "revenue", "cost"}
    assert "profit" not in {m["key"] for m in body["columnMappings"]}
    assert body["totals"]["visits"] == sum(row["visits"] for row in body["rows"])
