"""The example DAGs: they load cleanly with no request at parse time, and land reports under real Airflow."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..compat import DAGBAG_IMPORT
from ..conftest import plain_names
from .conftest import register_assets

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
EXPECTED = {
    "peerclick_daily_report",
    "peerclick_entities_snapshot",
    "peerclick_report_summary",
    "peerclick_report_to_iceberg",
    "peerclick_report_to_postgres",
}


@pytest.fixture
def example_env(airflow_home, emulator, tmp_path):
    landing = tmp_path / "lake"
    return landing, {
        **airflow_home.env,
        **emulator.conn_uri_env(),
        "AIRFLOW__CORE__DAGS_FOLDER": str(EXAMPLE_DAGS),
        "PEERCLICK_LANDING_URL": landing.as_uri(),
        "PEERCLICK_SETTLE_SECONDS": "5",
    }


def airflow(env: dict[str, str], *args: str) -> str:
    if args[:2] == ("dags", "test"):
        register_assets(env)
    command = [str(Path(sys.executable).parent / "airflow"), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return done.stdout


def json_table(output: str) -> list[dict[str, str]]:
    """The JSON table an `airflow ... -o json` command printed after any warnings."""
    return json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("[")))


def data_files(landing: Path) -> dict[str, str]:
    return plain_names(
        {
            str(path.relative_to(landing)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(landing.rglob("part-*"))
        }
    )


def committed_lines(partition: Path) -> list[str]:
    """The data lines of a partition, read as a lake reader should: through its manifest."""
    manifest = json.loads((partition / "_manifest.json").read_text())
    return [
        line for entry in manifest["files"] for line in (partition / entry["name"]).read_text().splitlines()
    ]


@pytest.mark.slow
def test_example_dags_load_without_errors_or_requests(emulator, example_env):
    _, env = example_env
    airflow(env, "dags", "reserialize")
    errors = json_table(airflow(env, "dags", "list-import-errors", "-o", "json"))
    listed = json_table(airflow(env, "dags", "list", "-o", "json"))
    assert errors == []
    assert {dag["dag_id"] for dag in listed} >= EXPECTED
    assert emulator.stats()["requests"] == 0  # parsing DAG files never calls PeerClick


@pytest.mark.slow
def test_daily_report_lands_reconciled_partitions_and_a_rerun_replaces_them(
    airflow_home, emulator, example_env
):
    landing, env = example_env
    # The run whose logical date is the 21st covers the 20th (the day before its cron tick).
    airflow(env, "dags", "test", "peerclick_daily_report", "2026-11-21T00:00:00+00:00")
    first = data_files(landing)
    assert sorted(first) == [
        f"{group_by}/date=2026-11-20/part-0000.jsonl" for group_by in ("campaign", "country", "offer")
    ]
    # Each part's name says which task try wrote it (Airflow's try 1), for a retry to sweep if killed.
    assert all(re.search(r"-[0-9a-f]{12}t1-0000\.jsonl$", path.name) for path in landing.rglob("part-*"))
    for group_by in ("campaign", "country", "offer"):
        manifest = json.loads((landing / group_by / "date=2026-11-20" / "_manifest.json").read_text())
        lines = committed_lines(landing / group_by / "date=2026-11-20")
        assert manifest["row_count"] == len(lines) > 0
        assert sum(json.loads(line)["visits"] for line in lines) == manifest["totals"]["visits"]

    airflow(env, "dags", "test", "peerclick_daily_report", "2026-11-21T00:00:00+00:00")
    assert data_files(landing) == first  # replaced with the same bytes, nothing duplicated

    airflow(env, "dags", "test", "peerclick_report_summary")
    with sqlite3.connect(landing.parent / "peerclick.sqlite") as db:
        loaded = db.execute("SELECT COUNT(*) FROM report_by_campaign WHERE date = '2026-11-20'").fetchone()[0]
    assert loaded == len(committed_lines(landing / "campaign" / "date=2026-11-20"))

    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["reports"] <= 1


@pytest.mark.slow
def test_entities_snapshot_lands_campaigns_and_offers(emulator, example_env):
    landing, env = example_env
    airflow(env, "dags", "test", "peerclick_entities_snapshot", "2026-11-21T00:00:00+00:00")
    for kind in ("campaigns", "offers"):
        partition = landing / "snapshots" / kind / "date=2026-11-21"
        entities = [json.loads(line) for line in committed_lines(partition)]
        assert len(entities) == json.loads((partition / "_manifest.json").read_text())["row_count"] > 0
        assert [e["id"] for e in entities] == sorted(e["id"] for e in entities)
    assert emulator.stats()["refused"] == 0


@pytest.mark.slow
def test_iceberg_example_lands_a_day_that_pyiceberg_reads_as_peerclick_totals(
    emulator, example_env, tmp_path
):
    pytest.importorskip("pyiceberg.catalog.sql", reason="Iceberg needs the iceberg extra (SQLAlchemy 2)")
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
    from airflow_provider_peerclick.iceberg.catalog import open_catalog

    _, env = example_env
    warehouse = tmp_path / "iceberg"
    env = {**env, "PEERCLICK_ICEBERG_WAREHOUSE": str(warehouse), "PEERCLICK_LOOKBACK_DAYS": "1"}
    airflow(env, "dags", "test", "peerclick_report_to_iceberg", "2026-11-21T00:00:00+00:00")

    table = open_catalog(None, str(warehouse)).load_table("peerclick.campaign")
    rows = table.scan(selected_fields=("date", "clicks")).to_arrow()
    assert {day.isoformat() for day in rows["date"].to_pylist()} == {"2026-11-20"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in emulator.conn_uri_env().items():
            patch.setenv(name, value)
        summary = PeerClickHook().get_report_summary(
            start="2026-11-20", end="2026-11-21", group_by="campaign"
        )
    assert (rows.num_rows, sum(rows["clicks"].to_pylist())) == (summary.total_rows, summary.totals["clicks"])
    assert emulator.stats()["refused"] == 0


PARSE_EACH_FOLDER = (
    DAGBAG_IMPORT
    + """
import json, sys
for folder in sys.argv[1:]:
    bag = DagBag(folder)
    errors = {name: str(error) for name, error in bag.import_errors.items()}
    print(json.dumps({"errors": errors, "dags": sorted(bag.dag_ids)}))
"""
)


def test_each_example_dag_parses_when_copied_alone_into_a_dags_folder(tmp_path, airflow_home):
    folders = []
    for source in sorted(EXAMPLE_DAGS.glob("*.py")):
        folder = tmp_path / source.stem
        folder.mkdir()
        shutil.copy(source, folder / source.name)
        folders.append(str(folder))
    env = {**airflow_home.env, "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "elsewhere")}
    done = subprocess.run(
        [sys.executable, "-c", PARSE_EACH_FOLDER, *folders],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    parsed = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [result["errors"] for result in parsed] == [{}] * len(folders)
    assert sorted(dag for result in parsed for dag in result["dags"]) == sorted(EXPECTED)
