"""Processes that share one account: each its own interpreter, hook and throttle, as tasks are."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def run_processes(emulator, tmp_path) -> Callable[..., list[subprocess.CompletedProcess[str]]]:
    """Start ``count`` report workers together, each on a connection with ``extra``; wait for all."""

    def run(processes: int, reports_each: int, **extra: Any) -> list[subprocess.CompletedProcess[str]]:
        connection = {
            "conn_type": "peerclick",
            "login": emulator.access_id,
            "password": emulator.access_key,
            "host": emulator.base_url,
            "extra": extra,
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW_CONN_PEERCLICK_DEFAULT": json.dumps(connection),
        }
        start_at = time.time() + 8  # after every process has imported Airflow
        workers = [
            subprocess.Popen(
                [sys.executable, str(HERE / "report_worker.py"), str(start_at), str(reports_each)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        done = []
        for worker in workers:
            out, err = worker.communicate(timeout=180)
            done.append(subprocess.CompletedProcess(worker.args, worker.returncode, out, err))
        return done

    return run
