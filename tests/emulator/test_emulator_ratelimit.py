"""Per-account sliding-window limits: 3 requests/s in all, 1 report/s; refusals are 429 and counted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

REPORT_PARAMS = {"from": "2026-03-01", "to": "2026-03-02", "groupBy": "day"}


def _burst(emulator, token, path, count, params=None):
    def call(_):
        headers = {"api-token": token}
        return requests.get(f"{emulator.base_url}{path}", headers=headers, params=params, timeout=10)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def _assert_refusal(response):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json() == {
        "description": "Too many requests",
        "error": {"code": "NUMBER_OF_REQUEST_FOR_IP_EXCEEDED"},
    }


def test_burst_over_three_per_second_is_refused(emulator):
    token = emulator.login()  # one request of the window already
    responses = _burst(emulator, token, "/campaign", 5)
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) >= 3
    for response in refused:
        _assert_refusal(response)
    assert all(r.status_code == 200 for r in responses if r.status_code != 429)
    stats = emulator.stats()
    assert stats["requests"] == 6
    assert stats["refused"] == len(refused)
    assert stats["buckets"]["all"] == {"requests": 6, "refused": len(refused)}
    assert stats["peak_per_second"]["all"] <= 3


def test_reports_are_limited_to_one_per_second(emulator):
    token = emulator.login()
    responses = _burst(emulator, token, "/report", 3, REPORT_PARAMS)
    assert sorted(r.status_code for r in responses) == [200, 429, 429]
    for response in responses:
        if response.status_code == 429:
            _assert_refusal(response)
    stats = emulator.stats()
    assert stats["buckets"]["reports"] == {"requests": 3, "refused": 2}
    assert stats["peak_per_second"] == {"all": 2, "reports": 1}


def test_window_slides_and_refusals_do_not_extend_it(emulator):
    import time

    token = emulator.login()
    url = f"{emulator.base_url}/report"
    headers = {"api-token": token}
    assert requests.get(url, headers=headers, params=REPORT_PARAMS, timeout=10).status_code == 200
    assert requests.get(url, headers=headers, params=REPORT_PARAMS, timeout=10).status_code == 429
    time.sleep(1.05)
    # The refused request did not enter the window, so one second after the accepted one is enough.
    assert requests.get(url, headers=headers, params=REPORT_PARAMS, timeout=10).status_code == 200


def test_accounts_are_limited_separately(emulator_factory):
    emu = emulator_factory("--access-id", "second-id", "--access-key", "second-key")
    tokens = [emu.login()]
    tokens.append(
        requests.post(
            f"{emu.base_url}/auth/access/session",
            json={"accessId": "second-id", "accessKey": "second-key"},
            timeout=5,
        ).json()["token"]
    )
    for token in tokens:
        for _ in range(2):
            assert (
                requests.get(f"{emu.base_url}/offer", headers={"api-token": token}, timeout=5).status_code
                == 200
            )
    assert emu.stats()["refused"] == 0


def test_control_endpoints_are_neither_limited_nor_counted(emulator):
    for _ in range(10):
        emulator.stats()
    assert emulator.stats()["requests"] == 0


def test_unknown_routes_and_methods_are_counted(emulator_unthrottled):
    base, root = emulator_unthrottled.base_url, emulator_unthrottled.root_url
    answers = [
        requests.get(f"{base}/nothing-here", timeout=5),
        requests.get(f"{root}/v2/report", timeout=5),
        requests.delete(f"{base}/campaign", timeout=5),
        requests.request("BREW", f"{base}/offer", timeout=5),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 405, 405]
    assert emulator_unthrottled.stats()["requests"] == 4


def test_stats_are_kept_per_account(emulator_factory):
    emu = emulator_factory("--access-id", "second-id", "--access-key", "second-key")
    first = emu.login()
    second = requests.post(
        f"{emu.base_url}/auth/access/session",
        json={"accessId": "second-id", "accessKey": "second-key"},
        timeout=5,
    ).json()["token"]
    for _ in range(2):
        requests.get(f"{emu.base_url}/report", headers={"api-token": first}, params=REPORT_PARAMS, timeout=5)
    requests.get(f"{emu.base_url}/offer", headers={"api-token": second}, timeout=5)
    accounts = emu.stats()["accounts"]
    assert accounts[emu.access_id] == {
        "requests": 3,
        "refused": 1,
        "tokens_issued": 1,
        "peak_per_second": {"all": 2, "reports": 1},
        "buckets": {"all": {"requests": 3, "refused": 0}, "reports": {"requests": 2, "refused": 1}},
    }
    second_stats = accounts["second-id"]
    assert (second_stats["requests"], second_stats["refused"], second_stats["tokens_issued"]) == (2, 0, 1)
    assert second_stats["peak_per_second"]["reports"] == 0
    assert second_stats["buckets"]["reports"] == {"requests": 0, "refused": 0}
