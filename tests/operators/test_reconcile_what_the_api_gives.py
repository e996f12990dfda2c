"""A server whose reports lack a documented column: the landing commits and its manifest says so."""

from __future__ import annotations

import json

import pytest

from airflow_provider_peerclick.storage import PeerClickReconciliationError

MANIFEST = "campaign/date=2026-11-24/_manifest.json"


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
