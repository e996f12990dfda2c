"""Triggers outside Airflow's triggerer: JSON-only serialisation, and errors and timeouts as events."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from airflow_provider_peerclick.triggers.entities import PeerClickEntityTrigger
from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger

from ..compat import import_string

QUERY = {"start": "2026-11-24T00:00:00+00:00", "end": "2026-11-25T00:00:00+00:00", "group_by": "day"}


def report_trigger(**overrides: object) -> PeerClickReportTrigger:
    arguments = {
        "query": QUERY,
        "until": "stable",
        "peerclick_conn_id": "peerclick_default",
        "pool_slots": 1,
        "poll_interval": 0.1,
        "end_time": time.time() + 60,
        **overrides,
    }
    return PeerClickReportTrigger(**arguments)  # type: ignore[arg-type]


def first_event(trigger: PeerClickReportTrigger) -> dict[str, object]:
    async def run() -> dict[str, object]:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(run())


def test_triggers_serialise_to_json_and_back():
    entity = PeerClickEntityTrigger(
        kind="offer",
        entity_id=3,
        name=None,
        status="PAUSED",
        peerclick_conn_id="pc",
        pool_slots=1,
        poll_interval=30,
        end_time=1.0,
    )
    for trigger in (report_trigger(previous={"total_rows": 1, "totals": {"visits": 2}}), entity):
        classpath, kwargs = trigger.serialize()
        assert json.loads(json.dumps(kwargs)) == kwargs
        assert import_string(classpath)(**kwargs).serialize() == (classpath, kwargs)


def test_report_settles_after_two_equal_polls(emulator, monkeypatch):
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    event = first_event(report_trigger())
    assert event["status"] == "done"
    assert event["value"]["total_rows"] == 1  # one day grouped by day
    assert emulator.stats()["refused"] == 0


def test_errors_become_an_error_event_without_the_key(emulator, monkeypatch):
    connection = json.loads(emulator.conn_uri_env()["AIRFLOW_CONN_PEERCLICK_DEFAULT"])
    monkeypatch.setenv(
        "AIRFLOW_CONN_PEERCLICK_DEFAULT", json.dumps({**connection, "password": "wrong-key-1"})
    )
    event = first_event(report_trigger())
    assert event["status"] == "error"
    assert "HTTP 401" in str(event["message"])
    assert "wrong-key-1" not in json.dumps(event)


@pytest.mark.parametrize("end_in", [0.0, 0.05])
def test_a_deadline_inside_the_next_interval_is_a_timeout_event(emulator, monkeypatch, end_in):
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    event = first_event(report_trigger(end_time=time.time() + end_in, previous={"seen": 1}))
    assert (event["status"], event["state"]) == ("timeout", {"seen": 1})
    assert emulator.stats()["requests"] == 0


def test_a_day_without_traffic_settles_like_any_other(emulator, monkeypatch):
    # No campaign 999999: zero rows at every poll, which is a settled answer, not a wait forever.
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    empty = {**QUERY, "group_by": "campaign", "filters": {"campaign": 999999}}
    event = first_event(report_trigger(query=empty))
    assert event["status"] == "done"
    assert event["value"]["total_rows"] == 0
    assert emulator.stats()["buckets"]["reports"]["requests"] == 2
