"""Hooks built from a real Airflow connection (an env var) pointing at the live emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.tokens import tokens


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
