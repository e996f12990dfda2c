"""One PeerClick emulator holding every account of the scenario, started like the other servers."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from scripts.scale.deployment import inherited_env
from scripts.scale.metadata import wait_until
from scripts.scale.processes import Supervisor


class Emulator:
    """`peerclick-emulator` with one access key per connection ID; limits and stats are per account."""

    def __init__(self, supervisor: Supervisor, conn_ids: Sequence[str], home: Path) -> None:
        self.keys = {conn_id: (f"{conn_id}-id", secrets.token_urlsafe(16)) for conn_id in conn_ids}
        port_file = home / "emulator.port"
        # Every rate-limited request with its time: what explains a refusal afterwards.
        self.request_log = supervisor.log_dir / "emulator-requests.jsonl"
        args = [sys.executable, "-m", "peerclick_emulator", "--port", "0"]
        args += ["--port-file", str(port_file), "--seed", "42", "--request-log", str(self.request_log)]
        for access_id, access_key in self.keys.values():
            # With "=": a random key may begin with "-", which argparse would take for an option.
            args += [f"--access-id={access_id}", f"--access-key={access_key}"]
        supervisor.start("emulator", args, env=inherited_env())
        wait_until(
            port_file.exists,
            timeout=30,
            what="the emulator listening",
            interval=0.2,
            check=supervisor.check_alive,
        )
        self.base_url = f"http://127.0.0.1:{port_file.read_text().strip()}/v1"

    def connection_env(self, conn_id: str, **extra: Any) -> dict[str, str]:
        """`AIRFLOW_CONN_<ID>` in the JSON form, the way every component (and any script) reads it."""
        access_id, access_key = self.keys[conn_id]
        return _connection_env(conn_id, self.base_url, access_id, access_key, extra)

    def wrong_key_env(self, conn_id: str, account: str, **extra: Any) -> tuple[dict[str, str], str]:
        """A connection ``conn_id`` with ``account``'s key ID and a wrong key; also gives the key."""
        wrong_key = secrets.token_urlsafe(16)
        return _connection_env(conn_id, self.base_url, self.keys[account][0], wrong_key, extra), wrong_key

    def issued_tokens(self) -> list[str]:
        """Every session token the emulator issued (what the secret scan looks for)."""
        return list(self.control("GET", "issued-tokens")["tokens"])

    def conn_ids_by_access_id(self) -> dict[str, str]:
        return {access_id: conn_id for conn_id, (access_id, _) in self.keys.items()}

    def account_stats(self) -> dict[str, dict[str, Any]]:
        """The emulator's per-account counters, by connection ID (empty for an account never called)."""
        stats = self.control("GET", "stats")
        return {
            conn_id: stats["accounts"].get(access_id, {}) for conn_id, (access_id, _) in self.keys.items()
        }

    def control(self, method: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a test-control endpoint, e.g. ``control("POST", "faults", {"status": 503})``."""
        root = self.base_url.rsplit("/", 1)[0]
        response = requests.request(method, f"{root}/__emulator__/{name}", json=body, timeout=10)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


def _connection_env(
    conn_id: str, base_url: str, access_id: str, access_key: str, extra: dict[str, Any]
) -> dict[str, str]:
    conn: dict[str, Any] = {
        "conn_type": "peerclick",
        "login": access_id,
        "password": access_key,
        "host": base_url,
    }
    if extra:
        conn["extra"] = extra
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn)}
