"""The command line: URL announcement, port file, clean stop, big reports, a missing [emulator] extra."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import requests

from peerclick_emulator.__main__ import build_parser


def test_sigterm_stops_cleanly(emulator_factory):
    emu = emulator_factory()
    assert requests.get(f"{emu.root_url}/__emulator__/stats", timeout=5).status_code == 200
    emu.process.process.send_signal(signal.SIGTERM)
    assert emu.process.process.wait(timeout=10) == 0


def test_sigint_stops_cleanly(emulator_factory):
    emu = emulator_factory()
    emu.process.process.send_signal(signal.SIGINT)
    assert emu.process.process.wait(timeout=10) == 0


def test_port_file_holds_the_announced_port(emulator_factory, tmp_path):
    port_file = tmp_path / "port"
    emu = emulator_factory("--port-file", str(port_file))
    assert emu.base_url == f"http://127.0.0.1:{port_file.read_text().strip()}/v1"


def test_keys_and_tokens_are_not_logged(emulator_factory):
    emu = emulator_factory("--verbose")
    token = emu.login()
    requests.get(f"{emu.base_url}/campaign", headers={"api-token": token}, timeout=5)
    time.sleep(0.2)
    process = emu.process
    process.process.terminate()
    process.process.wait(timeout=10)
    logged = process.stderr_text()
    assert "/v1/campaign" in logged
    assert emu.access_key not in logged
    assert token not in logged


def test_defaults_and_help():
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.token_lifetime, args.seed) == ("127.0.0.1", 8080, 86400, 42)
    result = subprocess.run(
        [sys.executable, "-m", "peerclick_emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    assert "--campaigns" in result.stdout


def test_big_report_pages_fast_after_the_first(emulator_factory):
    emu = emulator_factory("--campaigns", "20000", "--report-rate-limit", "1000", "--rate-limit", "1000")
    session = emu.session()
    params = {"from": "2026-03-01", "to": "2026-03-02", "groupBy": "campaign", "limit": 1000}
    first = session.get(f"{emu.base_url}/report", params=params, timeout=60).json()
    assert first["totalRows"] > 15000
    started = time.monotonic()
    second = session.get(f"{emu.base_url}/report", params={**params, "offset": 1000}, timeout=60).json()
    assert time.monotonic() - started < 0.5
    assert len(second["rows"]) == 1000
    assert second["rows"][0]["campaignId"] > first["rows"][-1]["campaignId"]


def test_unknown_omitted_columns_are_refused():
    done = subprocess.run(
        [sys.executable, "-m", "peerclick_emulator", "--omit-columns", "profit,bounces"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "bounces" in done.stderr


def test_request_log_has_one_line_per_limited_request(emulator_factory, tmp_path):
    import json

    log = tmp_path / "requests.jsonl"
    emu = emulator_factory("--request-log", str(log), "--rate-limit", "2")
    token = emu.login()
    for _ in range(2):
        requests.get(f"{emu.base_url}/campaign", headers={"api-token": token, "User-Agent": "t/1"}, timeout=5)
    emu.stats()  # control endpoints are not rate limited, so not logged
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["account"], line["method"], line["path"]) for line in lines] == [
        (emu.access_id, "POST", "/auth/access/session"),
        (emu.access_id, "GET", "/campaign"),
        (emu.access_id, "GET", "/campaign"),
    ]
    assert [line["accepted"] for line in lines] == [True, True, False]
    assert [line["agent"] for line in lines[1:]] == ["t/1", "t/1"]
    assert emu.access_key not in log.read_text()
    assert token not in log.read_text()


# `None` in sys.modules makes importing that name fail with ModuleNotFoundError, as it does where the
# package is not installed: Airflow brings both, so no venv of this project lacks them for real.
WITHOUT_MODULE = """
import sys
sys.modules[sys.argv[1]] = None
from peerclick_emulator.__main__ import main
sys.exit(main(["--port", "0"]))
"""


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn"])
def test_without_the_web_stack_the_command_names_how_to_install_it(missing):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_MODULE, missing], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1, done.stderr
    assert f"{missing} is not installed" in done.stderr
    assert "pip install peerclick-emulator (or 'airflow-provider-peerclick[emulator]')" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # never announced a URL


def test_another_missing_module_is_not_blamed_on_the_web_stack():
    module = "peerclick_emulator.app"  # as in a broken install of the emulator itself
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_MODULE, module], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert "ModuleNotFoundError" in done.stderr
    assert "pip install" not in done.stderr
