"""An Iceberg warehouse on local disk with the default SQL catalog, and two readers that know nothing of
this provider: pyiceberg's scan, and DuckDB's iceberg extension from the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pendulum
import pytest

pytest.importorskip("pyiceberg.catalog.sql", reason="Iceberg needs the iceberg extra (SQLAlchemy 2)")

from airflow_provider_peerclick.hooks._tokens import tokens
from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator

TABLE = "peerclick.campaign"


@dataclass
class Warehouse:
    folder: Path

    def table(self) -> Any:
        from airflow_provider_peerclick.iceberg.catalog import open_catalog

        return open_catalog(None, str(self.folder)).load_table(TABLE)

    def day_sums(self) -> dict[str, tuple[int, int, int, float]]:
        """Per day, as pyiceberg reads the table: rows, clicks, conversions, revenue (to cents)."""
        rows = self.table().scan(selected_fields=("date", "clicks", "conversions", "revenue")).to_arrow()
        sums: dict[str, list[Any]] = {}
        for day, clicks, conversions, revenue in zip(
            *(rows[name].to_pylist() for name in rows.column_names), strict=True
        ):
            total = sums.setdefault(day.isoformat(), [0, 0, 0, 0.0])
            total[0] += 1
            total[1] += clicks
            total[2] += conversions
            total[3] += revenue
        return {
            day: (count, clicks, conversions, round(revenue, 2))
            for day, (count, clicks, conversions, revenue) in sorted(sums.items())
        }

    def duckdb_day_sums(self) -> dict[str, tuple[int, int, int, float]]:
        """The same sums as DuckDB's ``iceberg_scan`` gives them, from the table's current metadata file."""
        connection = duckdb_with_iceberg()
        found = connection.sql(
            "SELECT date, COUNT(*), SUM(clicks), SUM(conversions), SUM(revenue) "
            f"FROM iceberg_scan('{self.table().metadata_location}') GROUP BY date ORDER BY date"
        ).fetchall()
        return {
            str(day): (count, clicks, conversions, round(revenue, 2))
            for day, count, clicks, conversions, revenue in found
        }

    def snapshot_facts(self) -> list[dict[str, str]]:
        """The provider's facts in each snapshot summary that has them, oldest first."""
        snapshots = sorted(self.table().snapshots(), key=lambda snapshot: snapshot.sequence_number)
        facts = [dict(snapshot.summary.additional_properties) for snapshot in snapshots]
        return [fact for fact in facts if "peerclick.date" in fact]


def duckdb_with_iceberg() -> Any:
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    try:
        for module_name, extension in (
            ("duckdb_extension_avro", "avro"),
            ("duckdb_extension_iceberg", "iceberg"),
        ):
            module = pytest.importorskip(module_name)
            path = (
                Path(module.__file__).parent
                / "extensions"
                / f"v{duckdb.__version__}"
                / f"{extension}.duckdb_extension"
            )
            connection.load_extension(str(path))
    except Exception as error:  # an extension built for another DuckDB, or none for this platform
        pytest.skip(f"DuckDB's iceberg extension does not load here: {error}")
    return connection


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")


@pytest.fixture
def land_iceberg(monkeypatch, warehouse) -> Iterator[Callable[..., dict[str, Any]]]:
    """Run the operator against an emulator for a window, one day by default."""

    def land(
        emulator: Any, start: pendulum.DateTime, end: pendulum.DateTime | None = None, /, **arguments: Any
    ) -> dict[str, Any]:
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
        arguments = {"warehouse": str(warehouse.folder), "table": TABLE, "group_by": "campaign", **arguments}
        operator = PeerClickReportToIcebergOperator(task_id="land", **arguments)
        context = {
            "data_interval_start": start,
            "data_interval_end": end or start.add(days=1),
            "run_id": f"run_{start.date()}",
        }
        return operator.execute(context)  # type: ignore[arg-type]

    tokens.clear()
    yield land
    tokens.clear()
