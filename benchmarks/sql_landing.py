"""Table landings: rows/s and peak memory of ``land_partition`` (PostgreSQL, SQLite) and of the Iceberg
``land_day`` against ``land_report`` (jsonl and parquet files) of the same report, at two sizes, each
landing in a fresh process so its peak RSS is its own.

The emulator serves one day of ``--rows`` campaign rows (and a tenth of that, for the memory comparison);
PeerClick's 1 report/s paces every landing alike, so wall rows/s is mostly the limit's and CPU rows/s
(``process_time`` of the landing process) is what differs. Memory is flat when the peak RSS of the big
landing is close to the small one's.

    .venv/bin/python -m benchmarks.sql_landing [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peerclick_emulator.process import EmulatorProcess

DAY = {"start": "2026-11-24T00:00:00+00:00", "end": "2026-11-25T00:00:00+00:00", "group_by": "campaign"}
CAMPAIGNS_PER_ROW = 1.06  # about 5% of the emulator's campaigns have no traffic on a given day
DESTINATIONS = ("jsonl", "parquet", "sqlite", "postgres", "iceberg")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        return _land_one(options.one)

    from scripts.scale.processes import Supervisor
    from scripts.scale.servers import start_postgres

    home = Path(tempfile.mkdtemp(prefix="peerclick-sql-bench-"))
    supervisor = Supervisor(home, home / "children")
    results = {}
    try:
        postgres = start_postgres(supervisor, home / "pgdata")
        for rows in (options.rows // 10, options.rows):
            with EmulatorProcess("--campaigns", str(int(rows * CAMPAIGNS_PER_ROW))) as emulator:
                env = {
                    **os.environ,
                    **emulator.connection_env(),
                    "AIRFLOW__PEERCLICK__BUDGET": "process",
                    "AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR": str(home / "budget"),
                    "BENCH_FOLDER": str(home / f"out-{rows}"),
                    "BENCH_POSTGRES": postgres,
                }
                for destination in DESTINATIONS:
                    done = subprocess.run(  # noqa: S603 - this very module
                        [sys.executable, "-m", "benchmarks.sql_landing", "--one", destination],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if done.returncode:
                        print(done.stderr[-3000:])
                        return 1
                    results[destination, rows] = json.loads(done.stdout.splitlines()[-1])
                    time.sleep(1.05)  # the next landing's first request must not share this one's second
                refused = emulator.stats()["refused"]
                if refused:
                    print(f"refused={refused}")
                    return 1
    finally:
        supervisor.stop_all()
    for (destination, rows), result in results.items():
        print(
            f"{destination:>8} {rows:>8} rows: {result['rows'] / result['wall']:>7.0f} rows/s wall, "
            f"{result['rows'] / result['cpu']:>7.0f} rows/s CPU, peak RSS {result['rss_mb']:.0f} MB"
        )
    big, small = options.rows, options.rows // 10
    figures = []
    for destination in DESTINATIONS:
        result = results[destination, big]
        growth = result["rss_mb"] - results[destination, small]["rss_mb"]
        figures.append(f"{destination}_cpu_rows_s={result['rows'] / result['cpu']:.0f}")
        figures.append(f"{destination}_rss_growth_mb={growth:.0f}")
    print(f"sql_landing: rows={big} {' '.join(figures)} refused=0")
    return 0


def _land_one(destination: str) -> int:
    from airflow.sdk import ObjectStoragePath

    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook, ReportQuery

    query = ReportQuery.build(**DAY)
    folder = Path(os.environ["BENCH_FOLDER"]) / destination
    folder.mkdir(parents=True)
    hook = PeerClickHook()
    started, cpu_started = time.monotonic(), time.process_time()
    pages = hook.iter_report_pages(query=query, page_size=10_000)
    if destination in ("jsonl", "parquet"):
        from airflow_provider_peerclick.storage.landing import land_report

        base = ObjectStoragePath(folder.as_uri())
        rows = land_report(pages, base=base, query=query, row_format=destination).row_count
    elif destination == "iceberg":
        from airflow_provider_peerclick.iceberg.catalog import open_catalog
        from airflow_provider_peerclick.iceberg.landing import IcebergLanding, land_day

        landing = IcebergLanding(open_catalog(None, str(folder)), ("peerclick", "campaign"), "bench", "bench")
        rows = land_day(landing, pages, query).row_count
    else:
        rows = _land_table(destination, folder, pages, query)
    print(
        json.dumps(
            {
                "rows": rows,
                "wall": time.monotonic() - started,
                "cpu": time.process_time() - cpu_started,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
    return 0


def _land_table(destination: str, folder: Path, pages, query) -> int:  # type: ignore[no-untyped-def]
    from airflow.providers.postgres.hooks.postgres import PostgresHook
    from airflow.providers.sqlite.hooks.sqlite import SqliteHook

    from airflow_provider_peerclick.sql.dialects import Dialect
    from airflow_provider_peerclick.sql.landing import TableLanding, land_partition
    from airflow_provider_peerclick.sql.names import TableName
    from airflow_provider_peerclick.sql.tables import ReportTable
    from airflow_provider_peerclick.storage.columns import column_order

    if destination == "postgres":
        os.environ["AIRFLOW_CONN_BENCH_SQL"] = os.environ["BENCH_POSTGRES"]
        hook = PostgresHook(postgres_conn_id="bench_sql")
    else:
        os.environ["AIRFLOW_CONN_BENCH_SQL"] = json.dumps({"conn_type": "sqlite", "host": str(folder / "db")})
        hook = SqliteHook(sqlite_conn_id="bench_sql")
    table = f"campaign_{folder.parent.name.replace('-', '_')}"
    target = ReportTable(TableName(table), TableName(f"{table}_loads"), Dialect(hook))
    conn = target.dialect.connect()
    try:
        target.create(conn, query.group_by, column_order(query.group_by, query.columns, None))
        return land_partition(conn, pages, TableLanding(target, "bench", "bench"), query).row_count
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
