"""A server whose reports lack a documented column: the landing commits and its manifest says so."""

from __future__ import annotations

import json

import pytest

from airflow_provider_peerclick.operators.report_to_storage import PeerClickReportToStorageOperator
from airflow_provider_peerclick.storage import PeerClickReconciliationError

from .conftest import DAY

MANIFEST = "campaign/date=2026-11-24/_manifest.json"


@pytest.fixture
def land_from(monkeypatch, lake):
    def land(emulator, **arguments):
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
        operator = PeerClickReportToStorageOperator(
            task_id="land", destination=f"file://{lake}", group_by="campaign", **arguments
        )
        context = {"data_interval_start": DAY, "data_interval_end": DAY.add(days=1)}
        return operator.execute(context)  # type: ignore[arg-type]

    return land


def test_a_server_without_profit_lands_and_the_manifest_says_so(emulator_factory, land_from, lake):
    server = emulator_factory("--omit-columns", "profit", "--report-rate-limit", "100")
    result = land_from(server)
    manifest = json.loads((lake / MANIFEST).read_text())
    assert manifest["reconciliation"] == {
        "reconciled": ["visits", "clicks", "conversions", "revenue", "cost"],
        "not_returned": ["profit"],
    }
    assert "profit" not in manifest["totals"]
    assert result["row_count"] == manifest["row_count"] > 0
    assert server.stats()["refused"] == 0


def test_a_real_mismatch_still_fails(emulator_factory, land_from, lake, monkeypatch):
    server = emulator_factory("--omit-columns", "profit", "--report-rate-limit", "100")
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

    original = PeerClickHook.iter_report_pages

    def one_click_less(self, **query):
        for page in original(self, **query):
            rows = [{**row, "clicks": row["clicks"] - (i == 0)} for i, row in enumerate(page.rows)]
            yield type(page)(page.offset, page.total_rows, page.totals, rows)

    monkeypatch.setattr(PeerClickHook, "iter_report_pages", one_click_less)
    with pytest.raises(PeerClickReconciliationError, match="Column 'clicks'"):
        land_from(server)
    assert not (lake / MANIFEST).exists()
