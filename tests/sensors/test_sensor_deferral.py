"""A deferred PeerClick sensor holds its pool slot while it waits: the wait is bounded, always."""

from __future__ import annotations

from datetime import timedelta

import pytest

from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor
from airflow_provider_peerclick.version_compat import TaskDeferred

DAY = {"start": "2026-11-19", "end": "2026-11-20"}


def test_sensors_wait_hours_not_airflows_seven_days():
    assert PeerClickReportSensor(task_id="report", group_by="day").timeout == 6 * 3600
    assert PeerClickCampaignSensor(task_id="entity", campaign_id=1).timeout == 6 * 3600
    assert PeerClickReportSensor(task_id="chosen", timeout=60).timeout == 60


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"timeout": 600}, 600),
        ({"timeout": 600, "execution_timeout": timedelta(minutes=5)}, 300),
        ({}, 6 * 3600),
    ],
)
def test_the_deferral_carries_the_shorter_of_timeout_and_execution_timeout(
    emulator, monkeypatch, limits, expected
):
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    sensor = PeerClickReportSensor(task_id="settled", group_by="day", **DAY, deferrable=True, **limits)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context={})  # type: ignore[arg-type]
    assert deferred.value.timeout is not None
    assert expected - 5 <= deferred.value.timeout.total_seconds() <= expected


def report_requests(emulator) -> int:
    return emulator.stats()["buckets"]["reports"]["requests"]


@pytest.mark.parametrize(
    ("final_after", "defers"),
    [(timedelta(days=1), False), (timedelta(days=36_500), True), (None, True)],
)
def test_a_final_report_is_settled_by_its_first_poll(emulator, monkeypatch, final_after, defers):
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    sensor = PeerClickReportSensor(
        task_id="settled", group_by="day", **DAY, deferrable=True, final_after=final_after
    )
    before = report_requests(emulator)
    if defers:
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute(context={})  # type: ignore[arg-type]
        # The trigger knows when the report turns final, should that happen while it waits.
        expected = None if final_after is None else sensor.resolve_report_query({}).end.timestamp()
        if expected is not None:
            expected += final_after.total_seconds()
        assert deferred.value.trigger.final_at == expected
    else:
        result = sensor.execute(context={})  # type: ignore[arg-type]
        assert result["total_rows"] > 0
        assert result["start"].startswith("2026-11-19")
    assert report_requests(emulator) - before == 1


def test_a_sensor_woken_by_a_change_its_condition_rejects_defers_again(emulator, monkeypatch):
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    sensor = PeerClickReportSensor(
        task_id="enough",
        group_by="day",
        **DAY,
        deferrable=True,
        poke_interval=30,
        condition=lambda result: result["total_rows"] >= 1000,
    )
    before = report_requests(emulator)
    with pytest.raises(TaskDeferred) as first:
        sensor.execute(context={})  # type: ignore[arg-type]
    trigger = first.value.trigger
    # What the trigger sends when the report changed: the task, not the trigger, judges the condition.
    seen = {"total_rows": 7, "totals": {"visits": 70}}
    event = {"status": "done", "value": seen, "state": {"total_rows": 7}, "end_time": trigger.end_time}
    with pytest.raises(TaskDeferred) as again:
        sensor.execute_complete(context={}, event=event)  # type: ignore[arg-type]
    assert again.value.method_name == "execute_complete"
    assert again.value.trigger.previous == {"total_rows": 7}  # polls on from what it saw last
    assert again.value.trigger.end_time == trigger.end_time  # the same deadline, not a new timeout
    assert again.value.timeout is not None
    assert again.value.timeout.total_seconds() <= first.value.timeout.total_seconds()
    assert report_requests(emulator) - before == 1  # deferring again asks PeerClick nothing
    met = {**event, "value": {"total_rows": 1200, "totals": {"visits": 9000}}}
    assert sensor.execute_complete(context={}, event=met) == met["value"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("poke_interval", "defers"), [(5, False), (31, True)])
def test_without_a_shared_budget_a_short_wait_is_spent_in_the_worker(
    emulator, monkeypatch, poke_interval, defers
):
    # Per-process budgets: a deferral would keep the account's report slot through Airflow's round trip.
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "process")
    monkeypatch.setenv(*emulator.conn_uri_env().popitem())
    sensor = PeerClickReportSensor(
        task_id="settled", group_by="day", **DAY, deferrable=True, poke_interval=poke_interval
    )
    assert not sensor.hook.budget.shared
    before = report_requests(emulator)
    if defers:  # the next poll is due later than a deferral's round trip costs
        with pytest.raises(TaskDeferred):
            sensor.execute(context={})  # type: ignore[arg-type]
        assert report_requests(emulator) - before == 1
    else:  # two polls poke_interval apart agree: settled without the triggerer
        result = sensor.execute(context={})  # type: ignore[arg-type]
        assert result["start"].startswith("2026-11-19")
        assert report_requests(emulator) - before == 2
