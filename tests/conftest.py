"""Fixtures shared by the whole suite: live PeerClick emulators on real sockets."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_LINE_PREFIX = "PEERCLICK_EMULATOR_URL="
START_TIMEOUT = 30.0
TEST_ACCESS_ID = "test-access-id"
TEST_ACCESS_KEY = "test-access-key-s3cret"
TEST_SEED = 7
# Limits high enough that correctness tests never wait for a rate-limit window.
UNTHROTTLED_ARGS = ("--rate-limit", "1000000", "--report-rate-limit", "1000000")


class EmulatorProcess:
    """One `python -m airflow_provider_peerclick.emulator` subprocess on a free port."""

    def __init__(
        self, *extra_args: str, access_id: str = TEST_ACCESS_ID, access_key: str = TEST_ACCESS_KEY
    ) -> None:
        self.access_id = access_id
        self.access_key = access_key
        self.args = [
            sys.executable,
            "-m",
            "airflow_provider_peerclick.emulator",
            "--port",
            "0",
            "--access-id",
            access_id,
            "--access-key",
            access_key,
            "--seed",
            str(TEST_SEED),
            *extra_args,
        ]
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=self.stderr, env=env, text=True, cwd=REPO_ROOT
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        self.base_url = self._wait_for_url()

    def _drain_stdout(self) -> None:
        # Keep reading after the URL line, so a verbose emulator never blocks on a full pipe.
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _wait_for_url(self) -> str:
        try:
            while True:
                line = self._lines.get(timeout=START_TIMEOUT)
                if line is None:
                    raise RuntimeError(f"emulator exited before listening:\n{self.stderr_text()}")
                if line.startswith(URL_LINE_PREFIX):
                    return line.removeprefix(URL_LINE_PREFIX)
        except queue.Empty:
            message = f"emulator did not announce its URL within {START_TIMEOUT} s:\n{self.stderr_text()}"
            self.stop()
            raise RuntimeError(message) from None
        except BaseException:
            self.stop()
            raise

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-4000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()
        return self.process.returncode


class Emulator:
    """A client for one running emulator: its URLs, credentials and control endpoints."""

    def __init__(self, process: EmulatorProcess) -> None:
        self.process = process
        self.base_url = process.base_url
        self.root_url = self.base_url.rsplit("/", 1)[0]
        self.access_id = process.access_id
        self.access_key = process.access_key

    def _control(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        response = requests.request(method, f"{self.root_url}/__emulator__/{name}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def reset(self) -> None:
        self._control("POST", "reset")

    def expire_tokens(self) -> None:
        self._control("POST", "expire-tokens")

    def fault(self, **spec: Any) -> dict[str, Any]:
        """Queue a fault, e.g. `fault(status=503, retry_after="2", path="/report")`."""
        return self._control("POST", "faults", json=spec)

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def login(self, lifetime: int | None = None) -> str:
        """A fresh token (counts against the rate limit like any API request)."""
        body: dict[str, Any] = {"accessId": self.access_id, "accessKey": self.access_key}
        if lifetime is not None:
            body["lifetime"] = lifetime
        response = requests.post(f"{self.base_url}/auth/access/session", json=body, timeout=10)
        response.raise_for_status()
        return response.json()["token"]

    def session(self, token: str | None = None) -> requests.Session:
        """A requests session sending `api-token` (a fresh login unless `token` is given)."""
        session = requests.Session()
        session.headers["api-token"] = token or self.login()
        return session

    def conn_uri_env(self) -> dict[str, str]:
        conn = {
            "conn_type": "peerclick",
            "login": self.access_id,
            "password": self.access_key,
            "host": self.base_url,
        }
        return {"AIRFLOW_CONN_PEERCLICK_DEFAULT": json.dumps(conn)}


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """The shared emulator with PeerClick's real limits (3 req/s, 1 report/s); `emulator` resets it."""
    process = EmulatorProcess()
    try:
        yield Emulator(process)
    finally:
        process.stop()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The shared emulator, reset to its seeded state (also clears rate-limit windows and faults)."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture(scope="session")
def emulator_unthrottled_server() -> Iterator[Emulator]:
    process = EmulatorProcess(*UNTHROTTLED_ARGS)
    try:
        yield Emulator(process)
    finally:
        process.stop()


@pytest.fixture
def emulator_unthrottled(emulator_unthrottled_server: Emulator) -> Emulator:
    """Same seed and credentials as `emulator`, rate limits lifted: for data tests that make many calls."""
    emulator_unthrottled_server.reset()
    return emulator_unthrottled_server


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """Start extra emulators with custom CLI args, e.g. `emulator_factory("--campaigns", "5000")`."""
    started: list[EmulatorProcess] = []

    def start(*args: str, access_id: str = TEST_ACCESS_ID, access_key: str = TEST_ACCESS_KEY) -> Emulator:
        process = EmulatorProcess(*args, access_id=access_id, access_key=access_key)
        started.append(process)
        return Emulator(process)

    yield start
    for process in started:
        process.stop()
