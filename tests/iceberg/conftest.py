"""An Iceberg warehouse on local disk (the default SQL catalog) and on a real S3 API (moto, with a SQL
catalog named by an Airflow connection), and two readers that know nothing of this provider: pyiceberg's
scan, and DuckDB's iceberg extension from the registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pendulum
import pytest

pytest.importorskip("pyiceberg.catalog.sql", reason="Iceberg needs the iceberg extra (SQLAlchemy 2)")

from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator

TABLE = "peerclick.campaign"
S3_CATALOG = "iceberg_s3"


@dataclass
class Warehouse:
    """Where the tables are, and the catalog connection (None for the default catalog)."""

    uri: str
    catalog_conn_id: str | None = None
    s3_endpoint: str | None = None

    def table(self) -> Any:
        from airflow_provider_peerclick.iceberg.catalog import open_catalog

        return open_catalog(self.catalog_conn_id, self.uri).load_table(TABLE)

    def day_sums(self) -> dict[str, tuple[int, int, int, float]]:
        """Per day, as pyiceberg reads the table: rows, clicks, conversions, revenue (to cents)."""
        rows = self.table().scan(selected_fields=("date", "clicks", "conversions", "revenue")).to_arrow()
        sums: dict[str, list[Any]] = {}
        for row in rows.to_pylist():
            total = sums.setdefault(row["date"].isoformat(), [0, 0, 0, 0.0])
            for index, value in enumerate((1, row["clicks"], row["conversions"], row["revenue"])):
                total[index] += value
        return {
            day: (count, clicks, conversions, round(revenue, 2))
            for day, (count, clicks, conversions, revenue) in sorted(sums.items())
        }

    def duckdb_day_sums(self) -> dict[str, tuple[int, int, int, float]]:
        """The same sums as DuckDB's ``iceberg_scan`` gives them, from the table's current metadata file."""
        connection = duckdb_with_iceberg(self.s3_endpoint)
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


def duckdb_with_iceberg(s3_endpoint: str | None = None) -> Any:
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    extensions = [("duckdb_extension_avro", "avro"), ("duckdb_extension_iceberg", "iceberg")]
    if s3_endpoint is not None:
        extensions.insert(0, ("duckdb_extension_httpfs", "httpfs"))
    try:
        for module_name, extension in extensions:
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
    if s3_endpoint is not None:
        connection.sql(
            "CREATE SECRET moto (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1', "
            f"ENDPOINT '{s3_endpoint.removeprefix('http://')}', URL_STYLE 'path', USE_SSL false)"
        )
    return connection


@pytest.fixture(params=["local", "s3"])
def warehouse(request, tmp_path, monkeypatch) -> Warehouse:
    if request.param == "local":
        return Warehouse(str(tmp_path / "warehouse"))
    request.getfixturevalue("s3_bucket")
    endpoint = request.getfixturevalue("s3_server").endpoint_url
    extra = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.sqlite",
        "s3.endpoint": endpoint,
        "s3.access-key-id": "testing",
        "s3.secret-access-key": "testing",
        "s3.region": "us-east-1",
    }
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{S3_CATALOG.upper()}", json.dumps({"conn_type": "generic", "extra": extra})
    )
    return Warehouse("s3://peerclick-lake/iceberg", S3_CATALOG, endpoint)


@pytest.fixture
def land_iceberg(monkeypatch, warehouse) -> Callable[..., dict[str, Any]]:
    """Run the operator against an emulator for a window, one day by default."""

    def land(
        emulator: Any, start: pendulum.DateTime, end: pendulum.DateTime | None = None, /, **arguments: Any
    ) -> dict[str, Any]:
        monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
        arguments = {
            "warehouse": warehouse.uri,
            "catalog_conn_id": warehouse.catalog_conn_id,
            "table": TABLE,
            "group_by": "campaign",
            **arguments,
        }
        operator = PeerClickReportToIcebergOperator(task_id="land", **arguments)
        land.operator = operator  # type: ignore[attr-defined]  # the last one run, for its lineage
        context = {
            "data_interval_start": start,
            "data_interval_end": end or start.add(days=1),
            "run_id": f"run_{start.date()}",
        }
        return operator.execute(context)  # type: ignore[arg-type]

    return land
