"""Land one day of a big report (grouped by campaign) through PeerClickReportToStorageOperator.

Starts its own emulator with many campaigns, runs the operator's ``execute()`` for 2026-11-24 and prints the
rows landed, the time taken, this process's peak RSS before and after (``ru_maxrss``), the resident size
sampled every second while pages stream in (flat if memory holds one page, not the report), and the
emulator's count of refused requests (must be 0: the hook keeps to 1 report request per second).

With ``--s3`` the destination is a real S3 API: ``moto_server`` (from the dev extras) on a loopback port,
reached through the Amazon provider's s3fs and an ``AIRFLOW_CONN_...`` connection with ``endpoint_url``.
Both servers run as subprocesses, so their memory is not counted as ours.

    .venv/bin/python benchmarks/land_big_report.py [--campaigns 100000] [--format jsonl] [--out DIR] [--s3]

About 1,000,000 rows: ``--campaigns 1060000`` (about 5% of campaigns have no traffic on a given day).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pendulum

# The emulator runs as a subprocess, so its memory is not counted as ours.
from peerclick_emulator.process import EmulatorProcess


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kibibytes on Linux


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.samples.append(round(current_rss_mib(), 1))


@contextlib.contextmanager
def moto_s3(bucket: str) -> Iterator[tuple[str, str]]:
    """A moto S3 server on a free loopback port with ``bucket``; yields (destination URL, conn_id)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - our venv's own moto_server
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    extra = {"endpoint_url": f"http://127.0.0.1:{port}", "region_name": "us-east-1"}
    conn = {"conn_type": "aws", "login": "testing", "password": "testing", "extra": extra}
    os.environ["AIRFLOW_CONN_AWS_BENCHMARK"] = json.dumps(conn)
    try:
        from airflow.sdk import ObjectStoragePath

        root = ObjectStoragePath(f"s3://{bucket}/", conn_id="aws_benchmark")
        for _ in range(100):  # moto answers within seconds
            with contextlib.suppress(Exception):
                root.fs.mkdir(bucket)
                break
            time.sleep(0.2)
        yield f"s3://{bucket}/peerclick", "aws_benchmark"
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=100_000)
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "csv", "parquet"))
    parser.add_argument("--out", help="destination folder (default: a temporary one, removed afterwards)")
    parser.add_argument("--s3", action="store_true", help="land on S3 (moto in server mode) instead")
    options = parser.parse_args()

    emulator = EmulatorProcess("--campaigns", str(options.campaigns))
    os.environ.update(emulator.connection_env())
    from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator

    with contextlib.ExitStack() as stack:
        if options.s3:
            destination, storage_conn_id = stack.enter_context(moto_s3("benchmark-lake"))
        else:
            out = Path(options.out or stack.enter_context(tempfile.TemporaryDirectory())).resolve()
            destination, storage_conn_id = f"file://{out}", None
        day = pendulum.datetime(2026, 11, 24, tz="UTC")
        operator = PeerClickReportToStorageOperator(
            task_id="land_big_report",
            destination=destination,
            storage_conn_id=storage_conn_id,
            group_by="campaign",
            format=options.format,
        )
        context = {"data_interval_start": day, "data_interval_end": day.add(days=1)}
        before = peak_rss_mib()
        sampler = RssSampler()
        sampler.start()
        began = time.monotonic()
        try:
            result = operator.execute(context)  # type: ignore[arg-type]
        finally:
            seconds = time.monotonic() - began
            sampler.stop.set()
            stats = emulator.stats()
            emulator.stop()
        after = peak_rss_mib()
        size = sum(entry["bytes"] for landed in result["partitions"] for entry in landed["files"])

    print(f"destination           : {destination.split('/')[0]}//...")
    print(f"campaigns in emulator : {options.campaigns}")
    print(f"rows landed           : {result['row_count']} ({options.format}, {size / 2**20:.1f} MiB)")
    print(f"seconds               : {seconds:.1f}")
    print(f"report requests       : {stats['buckets']['reports']['requests']}")
    print(f"refused by emulator   : {stats['refused']}")
    print(f"peak RSS before       : {before:.1f} MiB")
    print(f"peak RSS after        : {after:.1f} MiB (+{after - before:.1f})")
    print(f"RSS each second (MiB) : {sampler.samples}")


if __name__ == "__main__":
    main()
