"""Hooks built from a real Airflow connection (an env var) pointing at the live emulator."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from airflow_provider_peerclick.hooks._tokens import tokens
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook


@pytest.fixture
def make_hook(emulator, monkeypatch) -> Callable[..., PeerClickHook]:
    """Build a hook on a fresh token cache; keyword arguments become connection extras or fields."""
    tokens.clear()

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

    yield make
    tokens.clear()


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
