"""Campaigns and offers: list, get, create, update, and their errors."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(emulator_unthrottled):
    return emulator_unthrottled.session(), emulator_unthrottled.base_url


@pytest.mark.parametrize(("kind", "plural"), [("campaign", "campaigns"), ("offer", "offers")])
def test_seeded_list_and_get(api, kind, plural):
    session, base = api
    listed = session.get(f"{base}/{kind}", timeout=5).json()
    assert listed["description"] == "Success"
    assert [item["id"] for item in listed[plural]][:3] == [1, 2, 3]
    one = session.get(f"{base}/{kind}/2", timeout=5).json()[kind]
    assert one == listed[plural][1]


def test_seeded_campaigns_match_report_names(api):
    session, base = api
    campaigns = {c["id"]: c["name"] for c in session.get(f"{base}/campaign", timeout=5).json()["campaigns"]}
    report = session.get(
        f"{base}/report",
        params={"from": "2026-01-01", "to": "2026-01-08", "groupBy": "campaign", "limit": 10000},
        timeout=10,
    ).json()
    for row in report["rows"]:
        if row["campaignId"] in campaigns:
            assert campaigns[row["campaignId"]] == row["campaignName"]


def test_create_then_update_campaign(api, emulator_unthrottled):
    session, base = api
    before = emulator_unthrottled.stats()["entities"]["campaigns"]
    created = session.post(
        f"{base}/campaign", json={"name": "New", "workspaceId": 1, "tags": ["a"]}, timeout=5
    ).json()
    campaign = created["campaign"]
    assert created["description"] == "Success"
    assert campaign["url"] == f"https://track.example/{campaign['id']}"
    assert campaign["status"] == "ACTIVE"
    assert campaign["tags"] == ["a"]
    assert emulator_unthrottled.stats()["entities"]["campaigns"] == before + 1

    updated = session.put(f"{base}/campaign/{campaign['id']}", json={"status": "PAUSED"}, timeout=5).json()
    assert updated["campaign"] == {**campaign, "status": "PAUSED"}
    assert (
        session.get(f"{base}/campaign/{campaign['id']}", timeout=5).json()["campaign"]["status"] == "PAUSED"
    )


def test_create_offer_requires_url(api):
    session, base = api
    missing = session.post(f"{base}/offer", json={"name": "O", "workspaceId": 1}, timeout=5)
    assert missing.status_code == 400
    assert "url" in missing.json()["description"]
    created = session.post(
        f"{base}/offer", json={"name": "O", "workspaceId": 1, "url": "https://o.example"}, timeout=5
    )
    assert created.status_code == 200
    assert isinstance(created.json()["offer"]["id"], int)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/campaign/999999", None, 404),
        ("PUT", "/campaign/999999", {"name": "x"}, 404),
        ("GET", "/campaign/abc", None, 400),
        ("PUT", "/offer/abc", {"name": "x"}, 400),
        ("POST", "/campaign", {"name": "no workspace"}, 400),
        ("POST", "/campaign", {"name": "x", "workspaceId": "1"}, 400),
        ("PUT", "/campaign/1", {"status": "DELETED"}, 400),
        ("PUT", "/campaign/1", ["not", "an", "object"], 400),
    ],
)
def test_entity_errors(api, method, path, body, status):
    session, base = api
    response = session.request(method, base + path, json=body, timeout=5)
    assert response.status_code == status
    assert response.json()["description"]


def test_not_found_description(api):
    session, base = api
    assert session.get(f"{base}/campaign/7777777", timeout=5).json() == {
        "description": "Campaign 7777777 not found"
    }


def test_reset_restores_seeded_entities(api, emulator_unthrottled):
    session, base = api
    seeded = emulator_unthrottled.stats()["entities"]
    session.post(f"{base}/campaign", json={"name": "Temp", "workspaceId": 1}, timeout=5)
    emulator_unthrottled.reset()
    assert emulator_unthrottled.stats()["entities"] == seeded
