"""Hooks built from a real Airflow connection (an env var) pointing at the live emulator, and processes that
share one account: each its own interpreter, hook and throttle, as tasks are."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

HERE = Path(__file__).resolve().parent


@pytest.fixture
def budget_mode(monkeypatch) -> str:
    """The budget these hooks spend without a store: per process, which most hook tests are about.
    A test of the host-local budget overrides this fixture (or sets the variable itself)."""
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "process")
    return "process"


@pytest.fixture
def make_hook(emulator, monkeypatch, budget_mode) -> Callable[..., PeerClickHook]:
    """Build a hook on a fresh token cache (in the process and on the host); keyword arguments become
    connection extras or fields."""

    def make(*, password: str | None = None, host: str | None = None, **extra: object) -> PeerClickHook:
        connection = {
            "conn_type": "peerclick",
            "login": emulator.access_id,
            "password": password or emulator.access_key,
            "host": host or emulator.base_url,
            "extra": {"max_retry_seconds": 60, **extra},
        }
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", json.dumps(connection))
        return PeerClickHook()

    return make


@dataclass
class OtherHost:
    """A second HTTP server that records what reaches it, as 'localhost' while the emulator is '127.0.0.1'."""

    port: int
    seen: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str, *, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"


class _Recorder(http.server.BaseHTTPRequestHandler):
    other: OtherHost

    def _record_and_answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.other.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length).decode(errors="replace"),
            }
        )
        body = b'{"description": "Success", "campaigns": [], "token": "foreign-token"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _record_and_answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_host() -> Iterator[OtherHost]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    other = OtherHost(server.server_address[1])
    server.RequestHandlerClass = type("Recorder", (_Recorder,), {"other": other})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield other
    server.shutdown()
    server.server_close()


@pytest.fixture
def run_processes(emulator, tmp_path) -> Callable[..., list[subprocess.CompletedProcess[str]]]:
    """Start ``count`` report workers together, each on a connection with ``extra``; wait for all.

    ``budget`` is ``[peerclick] budget`` for them all (auto: host-local, as Airflow's default executor
    runs every task on one host)."""

    def run(
        processes: int, reports_each: int, *, budget: str = "auto", **extra: Any
    ) -> list[subprocess.CompletedProcess[str]]:
        connection = {
            "conn_type": "peerclick",
            "login": emulator.access_id,
            "password": emulator.access_key,
            "host": emulator.base_url,
            "extra": extra,
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW_CONN_PEERCLICK_DEFAULT": json.dumps(connection),
            "AIRFLOW__PEERCLICK__BUDGET": budget,
        }
        start_at = time.time() + 8  # after every process has imported Airflow
        workers = [
            subprocess.Popen(
                [sys.executable, str(HERE / "report_worker.py"), str(start_at), str(reports_each)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        done = []
        for worker in workers:
            out, err = worker.communicate(timeout=180)
            done.append(subprocess.CompletedProcess(worker.args, worker.returncode, out, err))
        return done

    return run
