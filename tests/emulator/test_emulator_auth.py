"""Token exchange, the api-token header, expiry, API versions and unknown routes."""

from __future__ import annotations

import re
import time

import requests

PATH = "/auth/access/session"


def test_token_exchange_returns_token_and_expiry(emulator):
    response = requests.post(
        emulator.base_url + PATH,
        json={"accessId": emulator.access_id, "accessKey": emulator.access_key},
        timeout=5,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Success"
    assert len(body["token"]) >= 20
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["expirationTimestamp"])
    assert emulator.stats()["tokens_issued"] == 1
    assert emulator.issued_tokens() == [body["token"]]


def test_wrong_key_or_id_is_401(emulator):
    for body in (
        {"accessId": emulator.access_id, "accessKey": "wrong"},
        {"accessId": "nobody", "accessKey": emulator.access_key},
    ):
        response = requests.post(emulator.base_url + PATH, json=body, timeout=5)
        assert response.status_code == 401
        assert emulator.access_key not in response.text
        assert response.json()["description"]


def test_missing_fields_or_bad_lifetime_is_400(emulator_unthrottled):
    emu = emulator_unthrottled
    for body in (
        {"accessId": emu.access_id},
        {"accessKey": emu.access_key},
        {"accessId": emu.access_id, "accessKey": emu.access_key, "lifetime": 0},
        {"accessId": emu.access_id, "accessKey": emu.access_key, "lifetime": "60"},
    ):
        response = requests.post(emu.base_url + PATH, json=body, timeout=5)
        assert response.status_code == 400, body
    assert requests.post(emu.base_url + PATH, data="not json", timeout=5).status_code == 400


def test_unknown_or_missing_token_is_401_without_echo(emulator_unthrottled):
    url = emulator_unthrottled.base_url + "/campaign"
    response = requests.get(url, headers={"api-token": "made-up-token"}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"description": "Unauthorized: token is invalid or expired"}
    assert "made-up-token" not in response.text
    assert requests.get(url, timeout=5).status_code == 401


def test_token_expires_after_its_lifetime(emulator_unthrottled):
    session = emulator_unthrottled.session(emulator_unthrottled.login(lifetime=1))
    url = emulator_unthrottled.base_url + "/campaign"
    assert session.get(url, timeout=5).status_code == 200
    time.sleep(1.1)
    assert session.get(url, timeout=5).status_code == 401


def test_expire_tokens_control_endpoint(emulator):
    session = emulator.session()
    url = emulator.base_url + "/offer"
    assert session.get(url, timeout=5).status_code == 200
    emulator.expire_tokens()
    assert session.get(url, timeout=5).status_code == 401


def test_both_api_versions_are_served(emulator_unthrottled):
    session = emulator_unthrottled.session()
    for version in ("v1", "v1_1"):
        response = session.get(f"{emulator_unthrottled.root_url}/{version}/campaign/1", timeout=5)
        assert response.status_code == 200
        assert response.json()["campaign"]["id"] == 1
    login = requests.post(
        f"{emulator_unthrottled.root_url}/v1_1{PATH}",
        json={"accessId": emulator_unthrottled.access_id, "accessKey": emulator_unthrottled.access_key},
        timeout=5,
    )
    assert login.status_code == 200


def test_unknown_route_is_json_404(emulator_unthrottled):
    for url in (
        emulator_unthrottled.base_url + "/nothing-here",
        emulator_unthrottled.root_url + "/v2/report",
    ):
        response = requests.get(url, timeout=5)
        assert response.status_code == 404
        assert "description" in response.json()
