"""Every argument the hook checks is refused with a message naming it and what is allowed."""

from __future__ import annotations

import datetime as dt
import json

import pendulum
import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks._arguments import COLUMNS, GROUP_BY, page_size, positive_id
from airflow_provider_peerclick.hooks.peerclick import ReportQuery

DAY = {"start": "2026-11-24", "end": "2026-11-25", "group_by": "campaign"}


@pytest.mark.parametrize(
    ("changes", "named", "allowed"),
    [
        ({"start": "2026-11-24T05:30:00"}, "start", "whole hour"),
        ({"end": dt.datetime(2026, 11, 25, 0, 0, 1)}, "end", "whole hour"),
        ({"start": "yesterday-ish"}, "start", "e.g. '2026-11-24'"),
        ({"start": 20261124}, "start", "a date"),
        ({"start": "2026-11-25", "end": "2026-11-25"}, "end", "after start"),
        ({"start": "2026-11-26"}, "end", "after start"),
        ({"group_by": "campain"}, "group_by", "campaign, offer, traffic-source"),
        ({"columns": ["visits", "clickz"]}, "columns", "visits, clicks"),
        ({"columns": []}, "columns", "non-empty"),
        ({"tz": "Mars/Olympus"}, "tz", "IANA time zone"),
        ({"filters": {"planet": "1"}}, "filters", "campaign, offer"),
        ({"filters": {"campaign": ""}}, "filters['campaign']", "a positive integer ID"),
        ({"filters": ["campaign", 1]}, "filters", "mapping"),
        # 05:00 UTC is 10:30 in Kolkata: not a whole hour in the account's time zone.
        ({"start": pendulum.datetime(2026, 11, 24, 5, tz="UTC"), "tz": "Asia/Kolkata"}, "start", "10:30"),
    ],
)
def test_bad_report_arguments_are_named_with_what_is_allowed(changes, named, allowed):
    with pytest.raises(PeerClickInvalidArgumentError) as error:
        ReportQuery.build(**{**DAY, **changes})
    message = str(error.value)
    assert message.startswith(f"{named}: got ")
    assert allowed in message


def test_query_is_sent_as_whole_hours_in_the_account_time_zone():
    query = ReportQuery.build(
        start=pendulum.datetime(2026, 11, 23, 23, tz="UTC"),
        end=dt.date(2026, 11, 25),
        group_by="day",
        tz="Europe/Berlin",
        columns="visits, revenue,visits",
        filters={"country": "DE", "campaign": 7},
    )
    assert query.params() == {
        "from": "2026-11-24T00:00:00",
        "to": "2026-11-25T00:00:00",
        "tz": "Europe/Berlin",
        "groupBy": "day",
        "columns": "visits,revenue",
        "filter1": "country",
        "filter1Value": "DE",
        "filter2": "campaign",
        "filter2Value": "7",
    }


def test_defaults_are_utc_and_every_column():
    params = ReportQuery.build(**DAY).params()
    assert params["tz"] == "UTC"
    assert params["columns"].split(",") == list(COLUMNS)
    assert set(GROUP_BY) >= {"campaign", "offer", "country"}


@pytest.mark.parametrize("value", [0, -3, 1.5, True, "abc", "", None, "4.0"])
def test_ids_must_be_positive_integers(value):
    with pytest.raises(PeerClickInvalidArgumentError, match=r"^campaign_id: got .*positive integer"):
        positive_id(value, "campaign_id")


def test_ids_rendered_by_templates_are_accepted():
    assert positive_id(" 42 ", "offer_id") == 42
    assert positive_id(42) == 42


@pytest.mark.parametrize("value", [0, 10_001, "100", 2.0])
def test_page_size_is_bounded(value):
    with pytest.raises(PeerClickInvalidArgumentError, match=r"^page_size: .*from 1 to 10000"):
        page_size(value)


def test_a_bad_string_is_quoted_as_written():
    with pytest.raises(PeerClickInvalidArgumentError, match=r"^start: got '2026-11-20T10:30'"):
        ReportQuery.build(**{**DAY, "start": "2026-11-20T10:30"})


@pytest.mark.parametrize(
    "query",
    [
        ReportQuery.build(start="2026-11-24", end="2026-11-25", group_by="campaign"),
        # The hour autumn repeats in Berlin, second time round: only its offset tells it apart.
        ReportQuery.build(
            start="2026-10-25T02:00:00+01:00",
            end="2026-10-25T03:00:00",
            group_by="country",
            tz="Europe/Berlin",
            columns="visits,revenue",
            filters={"country": "de"},
        ),
    ],
)
def test_the_json_form_of_a_query_reads_back_to_the_same_query(query):
    as_json = query.to_json()
    assert json.loads(json.dumps(as_json)) == as_json
    again = ReportQuery.from_json(as_json)
    assert again == query
    assert again.params() == query.params()
