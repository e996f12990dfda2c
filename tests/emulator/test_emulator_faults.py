"""Fault switches: scripted errors, slow answers, dropped connections, malformed bodies, redirects."""

from __future__ import annotations

import time

import pytest
import requests


@pytest.fixture
def api(emulator_unthrottled):
    return emulator_unthrottled.session(), emulator_unthrottled.base_url


def test_status_fault_with_retry_after_then_normal(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(status=503, retry_after="2", path="/campaign")
    failed = session.get(f"{base}/campaign", timeout=5)
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "2"
    assert failed.json() == {"description": "Emulated failure"}
    assert session.get(f"{base}/campaign", timeout=5).status_code == 200
    stats = emulator_unthrottled.stats()
    assert (stats["faults_served"], stats["refused"]) == (1, 0)


def test_faults_are_consumed_in_order_and_only_by_matching_requests(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(status=500, count=2, path="/report", body={"description": "boom"})
    emulator_unthrottled.fault(status=502, method="GET")
    assert session.get(f"{base}/offer", timeout=5).status_code == 502
    params = {"from": "2026-01-01", "to": "2026-01-02", "groupBy": "day"}
    for _ in range(2):
        response = session.get(f"{base}/report", params=params, timeout=5)
        assert response.json() == {"description": "boom"}
    assert session.get(f"{base}/report", params=params, timeout=5).status_code == 200


def test_auth_fault_targets_only_the_token_exchange(emulator_unthrottled):
    emulator_unthrottled.fault(status=500, path="/auth")
    with pytest.raises(requests.HTTPError):
        emulator_unthrottled.login()
    assert emulator_unthrottled.login()


def test_default_fault_skips_the_token_exchange(emulator_unthrottled):
    emulator_unthrottled.fault(status=500)
    session = emulator_unthrottled.session()
    assert session.get(f"{emulator_unthrottled.base_url}/offer", timeout=5).status_code == 500


def test_latency_applies_after_processing(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(latency=1.0, path="/campaign", method="POST")
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.post(f"{base}/campaign", json={"name": "Slow", "workspaceId": 1}, timeout=0.3)
    names = [c["name"] for c in session.get(f"{base}/campaign", timeout=5).json()["campaigns"]]
    assert "Slow" in names


def test_drop_closes_the_connection_without_answer(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"{base}/campaign", timeout=5)
    assert session.get(f"{base}/campaign", timeout=5).status_code == 200
    assert emulator_unthrottled.stats()["faults_served"] == 1


def test_malformed_body(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(malformed=True)
    response = session.get(f"{base}/campaign", timeout=5)
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_redirect(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(redirect="https://login.example/elsewhere")
    response = session.get(f"{base}/campaign", timeout=5, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://login.example/elsewhere"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_with_a_chosen_status(api, emulator_unthrottled, status):
    session, base = api
    emulator_unthrottled.fault(redirect=f"{base}/offer", redirect_status=status)
    response = session.post(f"{base}/campaign", json={}, timeout=5, allow_redirects=False)
    assert (response.status_code, response.headers["Location"]) == (status, f"{base}/offer")


def test_rate_limit_is_checked_before_faults(emulator):
    session = emulator.session()
    url = f"{emulator.base_url}/report"
    params = {"from": "2026-01-01", "to": "2026-01-02", "groupBy": "day"}
    assert session.get(url, params=params, timeout=5).status_code == 200
    emulator.fault(status=503, path="/report")
    assert session.get(url, params=params, timeout=5).status_code == 429
    assert emulator.stats()["faults_served"] == 0
    time.sleep(1.05)
    assert session.get(url, params=params, timeout=5).status_code == 503


def test_clear_faults(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(status=500, count=5)
    emulator_unthrottled.clear_faults()
    assert session.get(f"{base}/campaign", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"status": "500"},
        {"status": True},
        {"count": 0},
        {"path": "report", "status": 500},
        {"bogus": 1},
        {"drop": True, "status": 500},
        {"retry_after": "1"},
        {"redirect_status": 307},
        {"redirect": "http://x/", "redirect_status": 200},
        {"redirect": "http://x/", "redirect_status": "307"},
    ],
)
def test_invalid_fault_specs_are_400(emulator_unthrottled, spec):
    response = requests.post(f"{emulator_unthrottled.root_url}/__emulator__/faults", json=spec, timeout=5)
    assert response.status_code == 400
    assert response.json()["description"]


def test_faults_with_a_rate_hit_their_share_of_matching_requests(api, emulator_unthrottled):
    session, base = api
    emulator_unthrottled.fault(status=503, rate=0.2, path="/campaign")
    emulator_unthrottled.fault(status=429, rate=0.15, path="/campaign")
    statuses = [session.get(f"{base}/campaign", timeout=5).status_code for _ in range(400)]
    # Shares add up: about 35% of matching requests fail, each kind at its own share (binomial, 4+ sigma).
    assert 40 <= statuses.count(503) <= 120
    assert 25 <= statuses.count(429) <= 95
    assert session.get(f"{base}/offer", timeout=5).status_code == 200
    stats = emulator_unthrottled.stats()
    assert stats["refused"] == 0  # injected 429s are faults, never over-limit refusals
    assert stats["faults_served"] == statuses.count(503) + statuses.count(429)


def test_a_rate_outside_zero_to_one_is_refused(emulator_unthrottled):
    for rate in (0, 1.5, -0.1):
        response = requests.post(
            f"{emulator_unthrottled.root_url}/__emulator__/faults",
            json={"status": 500, "rate": rate},
            timeout=5,
        )
        assert response.status_code == 400
        assert "'rate'" in response.json()["description"]
