"""
Downstream of the landing: runs when the daily reports land, reads the files back and loads SQLite.

Scheduled on the Assets that PeerClickReportToStorageOperator declares, so it starts when every
group-by has landed. It shows the hand-off: only the files and their manifests are read, never the API.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, ObjectStoragePath, task

# The same settings as peerclick_daily_report (this file is self-contained, so it repeats them).
LANDED_BY = ("campaign", "offer", "country")
LANDING = (
    os.environ.get("PEERCLICK_LANDING_URL")
    or (Path(__file__).resolve().parents[1] / "data/peerclick").as_uri()
)
LANDED = [Asset(f"{LANDING}/{group_by}") for group_by in LANDED_BY]


def read_partition(manifest_path: ObjectStoragePath) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    manifest = json.loads(manifest_path.read_text())
    rows: list[dict[str, Any]] = []
    for entry in manifest["files"]:
        # Read whole (the rows are all kept anyway): Airflow 3.0's ObjectStoragePath.open() gives a file
        # that cannot be iterated line by line.
        lines = (manifest_path.parent / entry["name"]).read_text().splitlines()
        rows.extend(json.loads(line) for line in lines if line.strip())
    return manifest, rows


with DAG(
    dag_id="peerclick_report_summary",
    schedule=LANDED,
    start_date=pendulum.datetime(2026, 11, 1),
    catchup=False,
    tags=["peerclick", "example"],
    doc_md=__doc__,
) as dag:

    @task
    def load_into_sqlite() -> dict[str, Any]:
        """Load every landed jsonl partition into data/peerclick.sqlite, one table per group-by."""
        database = Path(ObjectStoragePath(LANDING).path).parent / "peerclick.sqlite"
        summary: dict[str, Any] = {}
        with sqlite3.connect(database) as db:
            for group_by in LANDED_BY:
                table = f"report_by_{group_by.replace('-', '_')}"
                db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute(f"CREATE TABLE {table} (date TEXT, row JSON)")
                for manifest_path in sorted(
                    ObjectStoragePath(f"{LANDING}/{group_by}").glob("*/_manifest.json")
                ):
                    manifest, rows = read_partition(manifest_path)
                    date = manifest["partition"].removeprefix("date=")
                    db.executemany(
                        f"INSERT INTO {table} VALUES (?, ?)",  # noqa: S608 - table names come from LANDED_BY
                        [(date, json.dumps(r)) for r in rows],
                    )
                    summary.setdefault(group_by, {})[date] = {
                        "rows": len(rows),
                        "visits": sum(row["visits"] for row in rows),
                        "revenue": round(sum(row["revenue"] for row in rows), 2),
                    }
        print(json.dumps({"database": str(database), "partitions": summary}, indent=2))
        return summary

    load_into_sqlite()
