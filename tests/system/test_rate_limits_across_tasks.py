"""As many task processes as the pools allow at once stay within PeerClick's limits together."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REQUESTS_PER_TASK = 10

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("budget", ["process", "host"])
def test_full_pools_stay_within_the_account_limits(airflow_home, emulator, budget):
    # peerclick_reports (1 slot) + peerclick_api (2 slots): one report task and two entity tasks at once,
    # each in its own process with its own hook: at one slot's rate, or spending the host's budget.
    env = {**airflow_home.env, **emulator.conn_uri_env(), "AIRFLOW__PEERCLICK__BUDGET": budget}
    start_at = time.time() + 8  # after every process has imported Airflow
    workers = [
        subprocess.Popen(
            [sys.executable, str(HERE / "rate_worker.py"), kind, str(start_at), str(REQUESTS_PER_TASK)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in ("report", "api", "api")
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], [err[-3000:] for _, err in outputs]

    stats = emulator.stats()
    peaks = stats["peak_per_second"]
    print(
        f"3 task processes, {stats['requests']} requests: "
        f"peak/s all={peaks['all']} reports={peaks['reports']}"
    )
    # One token for all three: the first process's exchange, shared through the host's folder.
    assert stats["tokens_issued"] == 1
    assert stats["requests"] == 3 * REQUESTS_PER_TASK + 1
    assert stats["refused"] == 0
    assert peaks["all"] <= 3
    assert peaks["reports"] <= 1
