"""The extra links: which tasks have which, the URLs they keep, and their templates' checks."""

from __future__ import annotations

import inspect

import pendulum
import pytest
from airflow.sdk import BaseOperator

from airflow_provider_peerclick import get_provider_info
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.links import (
    CAMPAIGN_LINK,
    LINKS,
    OFFER_LINK,
    REPORT_LINK,
    PeerClickLink,
    PeerClickReportLink,
    template_problem,
)
from airflow_provider_peerclick.operators import entities, iceberg, report, sql
from airflow_provider_peerclick.sensors import entities as entity_sensors
from airflow_provider_peerclick.sensors import report as report_sensors

MODULES = (entities, iceberg, report, sql, entity_sensors, report_sensors)


def _task_classes() -> dict[str, type[BaseOperator]]:
    return {
        name: cls
        for module in MODULES
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and issubclass(cls, BaseOperator) and cls.__module__ == module.__name__
    }


def test_each_task_links_what_it_reads_or_writes():
    links = {name: tuple(cls.operator_extra_links) for name, cls in _task_classes().items()}
    for name, declared in links.items():
        if "List" in name or "Entity" in name:  # lists have no one entity; bases have no kind
            assert declared == (), name
        elif "Campaign" in name:
            assert declared == (CAMPAIGN_LINK,), name
        elif "Offer" in name:
            assert declared == (OFFER_LINK,), name
        else:
            assert declared == (REPORT_LINK,), name
    assert sum(REPORT_LINK in declared for declared in links.values()) == 5


def test_the_provider_info_lists_every_link_and_airflow_stores_each_under_its_own_key():
    assert get_provider_info()["extra-links"] == [f"{link.__module__}.{link.__name__}" for link in LINKS]
    keys = {link().xcom_key for link in LINKS}
    names = {link().name for link in LINKS}
    assert len(keys) == len(names) == len(LINKS)


def test_a_task_that_kept_no_url_has_an_empty_link():
    task = report.PeerClickReportOperator(task_id="t", group_by="campaign")
    assert REPORT_LINK.get_link(task, ti_key=None) == ""  # type: ignore[arg-type]
    task.peerclick_links = {REPORT_LINK.name: "https://panel.example/r"}
    assert REPORT_LINK.get_link(task, ti_key=None) == "https://panel.example/r"  # type: ignore[arg-type]
    assert CAMPAIGN_LINK.get_link(task, ti_key=None) == ""  # type: ignore[arg-type]


def test_report_values_are_the_window_in_its_zone_and_its_last_day_inclusive():
    # A whole week in New York, across the end of daylight saving time (1 November 2026).
    query = ReportQuery.build(
        start="2026-10-29", end="2026-11-05", group_by="traffic-source", tz="America/New_York"
    )
    assert PeerClickReportLink.values(query) == {
        "group_by": "traffic-source",
        "start": "2026-10-29T00:00:00-04:00",
        "end": "2026-11-05T00:00:00-05:00",
        "start_date": "2026-10-29",
        "end_date": "2026-11-04",
        "tz": "America/New_York",
    }
    hour = ReportQuery.build(
        start=pendulum.datetime(2026, 11, 3, 23, tz="UTC"),
        end=pendulum.datetime(2026, 11, 4, tz="UTC"),
        group_by="day",
    )
    assert PeerClickReportLink.values(hour)["end_date"] == "2026-11-03"


def test_values_are_quoted_and_literal_braces_kept():
    url = PeerClickLink.url("https://panel.example/r?tz={tz}&q={{raw}}", {"tz": "Europe/Berlin", "x": 1})
    assert url == "https://panel.example/r?tz=Europe%2FBerlin&q={raw}"
    assert template_problem(REPORT_LINK.__class__, "https://panel.example/r?q={{raw}}&g={group_by}") is None


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("ftp://panel.example/{id}", "must be an http(s) URL template"),
        ("https://panel.example/{id}}", "is not a URL template"),
        ("https://panel.example/{campaign_id}", "uses {campaign_id}; allowed: {id}"),
        ("https://panel.example/{id.x}", "uses {id.x}"),
        ("https://panel.example/{}", "uses {}"),
    ],
)
def test_a_template_the_link_cannot_fill_is_refused(template, fragment):
    problem = template_problem(CAMPAIGN_LINK.__class__, template)
    assert problem is not None
    assert fragment in problem
