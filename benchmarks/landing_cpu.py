"""Landing CPU: ``land_report`` against a plain writer of the same bytes, for each format, side by side.

Starts the emulator with enough campaigns for ``--rows`` rows in one day (PeerClick's limits: 1 report/s,
so the wall time is mostly waiting; only CPU is compared). For each format, two landings of the same day,
page by page at the largest page size:

- **ours**: ``PeerClickHook.iter_report_pages`` into ``land_report`` (throttle, retries, checks of every
  answer, reconciliation with the report's totals, the staged partition, its manifest and checksum);
- **plain**: ``requests`` and ``json.loads``, spaced one second apart by ``time.sleep``, into the same
  library's writer with nothing else: ``json.dumps`` per row, ``csv.writer``, or
  ``pyarrow.Table.from_pylist`` in row groups of the same size.

The two files must be byte-identical (the run fails otherwise). Prints the CPU seconds (``process_time``,
this process only: the emulator runs in its own) of each, and their ratio against the 1.3 floor.

    .venv/bin/python -m benchmarks.landing_cpu [--rows 200000] [--formats jsonl,csv,parquet]
"""

from __future__ import annotations

import argparse
import compileall
import csv
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from peerclick_emulator.process import EmulatorProcess

FLOOR = 1.3
DAY = {"start": "2026-11-24T00:00:00+00:00", "end": "2026-11-25T00:00:00+00:00", "group_by": "campaign"}
# About 5% of the emulator's campaigns have no traffic on a given day.
CAMPAIGNS_PER_ROW = 1.06


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--formats", default="jsonl,csv,parquet")
    options = parser.parse_args()

    # As pip does on install: a deployment runs the provider's bytecode; this checkout may run with
    # PYTHONDONTWRITEBYTECODE set, and compiling what a task imports late would be counted as landing.
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "airflow_provider_peerclick", quiet=1)
    os.environ["AIRFLOW__PEERCLICK__BUDGET"] = "process"
    os.environ["AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR"] = tempfile.mkdtemp(prefix="peerclick-bench-")
    _import_both_sides()
    ratios = {}
    with EmulatorProcess("--campaigns", str(int(options.rows * CAMPAIGNS_PER_ROW))) as emulator:
        os.environ.update(emulator.connection_env())
        _first_connection_lookup()
        for row_format in sorted(options.formats.split(","), key=lambda name: name == "parquet"):
            with tempfile.TemporaryDirectory() as folder:
                # A one-row landing first: what a process pays once (fsspec, the writer's first use) is not
                # a cost of landing rows, and would fall on whichever side runs first.
                ours(row_format, Path(folder) / "warm-up", group_by="day")
                time.sleep(1.05)
                plain_cpu, plain_file, rows = plain(emulator, row_format, Path(folder) / "plain")
                ours_cpu, ours_file = ours(row_format, Path(folder) / "ours")
                same = _digest(plain_file) == _digest(ours_file)
                time.sleep(1.05)
            ratios[row_format] = ours_cpu / plain_cpu
            print(
                f"{row_format:>8}: {rows} rows; ours {ours_cpu:.2f} s CPU, plain {plain_cpu:.2f} s, "
                f"ratio {ratios[row_format]:.2f}; byte-identical: {same}"
            )
            if not same:
                return 1
        refused = emulator.stats()["refused"]
    worst = max(ratios.values())
    print(
        f"landing_cpu: rows={options.rows} "
        + " ".join(f"{name}={ratio:.2f}" for name, ratio in ratios.items())
        + f" worst={worst:.2f} floor={FLOOR} refused={refused}"
    )
    return 0 if worst <= FLOOR and refused == 0 else 1


def ours(row_format: str, folder: Path, *, group_by: str = "campaign") -> tuple[float, Path]:
    from airflow.sdk import ObjectStoragePath

    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook, ReportQuery
    from airflow_provider_peerclick.storage.landing import land_report

    query = ReportQuery.build(**{**DAY, "group_by": group_by})
    started = time.process_time()
    hook = PeerClickHook()
    pages = hook.iter_report_pages(query=query, page_size=10_000)
    landed = land_report(pages, base=ObjectStoragePath(folder.as_uri()), query=query, row_format=row_format)
    cpu = time.process_time() - started
    assert landed.files, landed
    return cpu, next(folder.rglob(f"part-*.{row_format}"))


def plain(emulator: EmulatorProcess, row_format: str, folder: Path) -> tuple[float, Path, int]:
    connection = json.loads(emulator.connection_env()["AIRFLOW_CONN_PEERCLICK_DEFAULT"])
    started = time.process_time()
    session = requests.Session()
    answer = session.post(
        emulator.base_url + "/auth/access/session",
        json={"accessId": connection["login"], "accessKey": connection["password"]},
        timeout=30,
    )
    session.headers["api-token"] = answer.json()["token"]
    folder.mkdir(parents=True)
    path = folder / f"plain.{row_format}"
    rows_written = 0
    with path.open("wb") as sink:
        writer = _plain_writer(row_format, sink)
        offset, total = 0, None
        answered = time.monotonic()
        while total is None or offset < total:
            time.sleep(max(0.0, answered + 1.05 - time.monotonic()))  # PeerClick's 1 report/s
            params = {
                "groupBy": "campaign",
                "from": "2026-11-24 00:00:00",
                "to": "2026-11-25 00:00:00",
                "limit": 10_000,
                "offset": offset,
            }
            page = json.loads(session.get(emulator.base_url + "/report", params=params, timeout=60).content)
            answered = time.monotonic()
            total = page["totalRows"]
            writer.write(page["rows"])
            offset += len(page["rows"])
            rows_written += len(page["rows"])
        writer.close()
    cpu = time.process_time() - started
    time.sleep(1.05)  # the next landing's first report request must not share this one's second
    return cpu, path, rows_written


class _PlainJsonLines:
    def __init__(self, sink: Any) -> None:
        self.sink = sink

    def write(self, rows: list[dict[str, Any]]) -> None:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
        self.sink.write(("\n".join(map(dumps, rows)) + "\n").encode())

    def close(self) -> None:
        pass


class _PlainCsv:
    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self.text = io.StringIO()
        self.writer = csv.writer(self.text, lineterminator="\n")
        self.header = False

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not self.header:
            self.writer.writerow(rows[0])
            self.header = True
        self.writer.writerows(map(dict.values, rows))
        self.sink.write(self.text.getvalue().encode())
        self.text.seek(0)
        self.text.truncate()

    def close(self) -> None:
        pass


class _PlainParquet:
    def __init__(self, sink: Any) -> None:
        import pyarrow as pa

        from airflow_provider_peerclick.storage.columns import column_type

        self.pa = pa
        self.sink = sink
        self.types = {"integer": pa.int64(), "double": pa.float64(), "string": pa.string()}
        self.column_type = column_type
        self.writer: Any = None
        self.pending: list[dict[str, Any]] = []

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.schema = self.pa.schema([(key, self.types[self.column_type(key)]) for key in rows[0]])
            self.writer = pq.ParquetWriter(self.sink, self.schema)
        self.pending += rows
        while len(self.pending) >= 10_000:
            self._flush(self.pending[:10_000])
            del self.pending[:10_000]

    def _flush(self, rows: list[dict[str, Any]]) -> None:
        self.writer.write_table(self.pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        if self.pending:
            self._flush(self.pending)
        self.writer.close()


def _plain_writer(row_format: str, sink: Any) -> Any:
    return {"jsonl": _PlainJsonLines, "csv": _PlainCsv, "parquet": _PlainParquet}[row_format](sink)


def _import_both_sides() -> None:
    """Load what either side imports before either is timed, so neither pays the other's imports.
    Not pyarrow: a process landing jsonl or csv has none loaded (reconciliation then sums in Python),
    so Parquet runs last and its warm-up landing loads it."""
    from airflow.sdk import ObjectStoragePath  # noqa: F401

    import airflow_provider_peerclick.hooks._transport
    import airflow_provider_peerclick.storage.landing  # noqa: F401


def _first_connection_lookup() -> None:
    """A task's first connection lookup loads Airflow's secrets machinery, once per process: not a cost
    of landing rows, and it would fall on whichever format runs first."""
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

    assert PeerClickHook().settings.base_url


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
