"""The storage operator against the live emulator, through a real Airflow connection in the environment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest

from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator

from ..conftest import plain_names

DAY = pendulum.datetime(2026, 11, 24, tz="UTC")


@pytest.fixture
def peerclick_connection(emulator, monkeypatch) -> Callable[..., None]:
    """Point peerclick_default at the emulator; keyword arguments become connection extras."""

    def connect(**extra: Any) -> None:
        connection = {
            "conn_type": "peerclick",
            "login": emulator.access_id,
            "password": emulator.access_key,
            "host": emulator.base_url,
            "extra": {"max_retry_seconds": 30, **extra},
        }
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", json.dumps(connection))

    connect()
    return connect


@pytest.fixture
def lake(tmp_path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def land_interval(peerclick_connection, lake) -> Callable[..., dict[str, Any]]:
    """Execute the operator for a data interval (start, end); keyword arguments go to the operator."""

    def run(start: pendulum.DateTime, end: pendulum.DateTime, /, **arguments: Any) -> dict[str, Any]:
        arguments = {"destination": f"file://{lake}", "group_by": "campaign", **arguments}
        operator = PeerClickReportToStorageOperator(task_id="land", **arguments)
        context = {"data_interval_start": start, "data_interval_end": end}
        return operator.execute(context)  # type: ignore[arg-type]

    return run


@pytest.fixture
def run_landing(land_interval) -> Callable[..., dict[str, Any]]:
    """Execute the operator for the 2026-11-24 data interval; keyword arguments go to the operator."""
    return lambda **arguments: land_interval(DAY, DAY.add(days=1), **arguments)


@pytest.fixture
def lake_files(lake) -> Callable[[], dict[str, bytes]]:
    def snapshot() -> dict[str, bytes]:
        if not lake.exists():
            return {}
        return plain_names(
            {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}
        )

    return snapshot


@pytest.fixture
def api_report(peerclick_connection) -> Callable[..., dict[str, Any]]:
    """The whole report in one page, through a hook so it waits its turn under the report limit."""
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

    def fetch(**query: Any) -> dict[str, Any]:
        query = {"start": DAY, "end": DAY.add(days=1), "group_by": "campaign", "page_size": 10000, **query}
        page = next(PeerClickHook().iter_report_pages(**query))
        return {"rows": page.rows, "totalRows": page.total_rows, "totals": page.totals}

    return fetch


@pytest.fixture
def fault_after_first_page(emulator, monkeypatch) -> Callable[..., None]:
    """Queue an emulator fault once the operator has received the report's first page."""
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

    def arm(**spec: Any) -> None:
        original = PeerClickHook.iter_report_pages

        def pages(self: PeerClickHook, **query: Any) -> Iterator[Any]:
            source = original(self, **query)
            yield next(source)
            emulator.fault(**spec)
            yield from source

        monkeypatch.setattr(PeerClickHook, "iter_report_pages", pages)

    return arm


@pytest.fixture
def land_from(monkeypatch, lake) -> Callable[..., dict[str, Any]]:
    """Run the operator against another emulator (``emulator_factory``) for one day, 2026-11-24 by default.

    Returns the XCom result, plus the Asset events' extras under ``"asset_events"``.
    """
    from airflow.sdk.execution_time.context import OutletEventAccessors

    def land(emulator: Any, day: pendulum.DateTime = DAY, **arguments: Any) -> dict[str, Any]:
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
        arguments = {"destination": f"file://{lake}", "group_by": "campaign", **arguments}
        operator = PeerClickReportToStorageOperator(task_id="land", **arguments)
        events = OutletEventAccessors()
        context = {"data_interval_start": day, "data_interval_end": day.add(days=1), "outlet_events": events}
        result = operator.execute(context)  # type: ignore[arg-type]
        return {**result, "asset_events": {asset.uri: events[asset].extra for asset in operator.outlets}}

    return land
