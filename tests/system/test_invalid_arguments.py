"""Wrong arguments fail at DAG parse time, or once rendered but before any request, naming the argument."""

from __future__ import annotations

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.entities import (
    PeerClickCreateCampaignOperator,
    PeerClickGetOfferOperator,
    PeerClickUpdateCampaignOperator,
)
from airflow_provider_peerclick.operators.report import PeerClickReportOperator
from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor
from airflow_provider_peerclick.sensors.report import PeerClickReportSensor


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: PeerClickReportOperator(task_id="t", group_by="week"), "group_by"),
        (lambda: PeerClickReportOperator(task_id="t", group_by="day", columns=["visits", "ctr%"]), "columns"),
        (lambda: PeerClickReportOperator(task_id="t", group_by="day", tz="Mars/Olympus"), "tz"),
        (lambda: PeerClickReportOperator(task_id="t", group_by="day", filters={"planet": 3}), "filters"),
        (
            lambda: PeerClickReportOperator(task_id="t", group_by="day", start="2026-11-01T10:30"),
            "start",
        ),
        (
            lambda: PeerClickReportOperator(
                task_id="t", group_by="day", start="2026-11-02", end="2026-11-01"
            ),
            "end",
        ),
        (lambda: PeerClickReportOperator(task_id="t", group_by="day", max_rows=0), "max_rows"),
        (lambda: PeerClickReportSensor(task_id="t", poke_interval=1), "poke_interval"),
        (lambda: PeerClickReportSensor(task_id="t", mode="reschedule", deferrable=False), "mode"),
        (lambda: PeerClickGetOfferOperator(task_id="t", offer_id=-4), "offer_id"),
        (lambda: PeerClickUpdateCampaignOperator(task_id="t", campaign_id=1, body={}), "body"),
        (
            lambda: PeerClickUpdateCampaignOperator(task_id="t", campaign_id=1, body={"status": "STOPPED"}),
            "body['status']",
        ),
        (
            lambda: PeerClickCreateCampaignOperator(
                task_id="t", body={"workspaceId": 1}, reuse_existing_by_name=True
            ),
            "body",
        ),
        (lambda: PeerClickCampaignSensor(task_id="t"), "campaign_id, name"),
        (lambda: PeerClickCampaignSensor(task_id="t", campaign_id=3, status="LIVE"), "status"),
    ],
)
def test_rejected_when_the_dag_is_parsed(build, argument):
    with pytest.raises(PeerClickInvalidArgumentError) as raised:
        build()
    assert str(raised.value).startswith(f"{argument}: got ")


def test_templates_are_checked_only_once_rendered():
    report = PeerClickReportOperator(
        task_id="t", group_by="{{ params.group_by }}", start="{{ ds }}", end="{{ ds }}"
    )
    offer = PeerClickGetOfferOperator(task_id="u", offer_id="{{ ti.xcom_pull('create') }}")
    # Kept as given, in template fields, for Airflow to render: no check at parse time refused or
    # rewrote them (the rendered values are checked by test_rendered_arguments_fail_before_any_request).
    assert (report.group_by, report.start, report.end) == ("{{ params.group_by }}", "{{ ds }}", "{{ ds }}")
    assert {"group_by", "start", "end"} <= set(report.template_fields)
    assert offer.entity_id == "{{ ti.xcom_pull('create') }}"
    assert "entity_id" in offer.template_fields


@pytest.mark.slow
def test_rendered_arguments_fail_before_any_request(run_dag, emulator):
    result = run_dag("invalid_dag", emulator)
    assert set(result["tasks"].values()) == {"failed"}, result["log"][-5000:]
    assert set(result["tries"].values()) == {1}, result["tries"]  # retries=2, none taken
    log = result["log"]
    assert "group_by: got 'week'; allowed: campaign, offer" in log
    assert "start: got '2026-11-20T10:30:00'" in log
    assert "campaign_id: got 'minus-one'" in log
    assert "tz: got 'Mars/Olympus'" in log
    assert emulator.stats()["requests"] == 0
