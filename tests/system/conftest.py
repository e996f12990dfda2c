"""Airflow fixtures: a throwaway AIRFLOW_HOME with a migrated database and the PeerClick pools.

DAGs run in subprocesses (``dag_runner.py``), so each sees AIRFLOW_HOME and the emulator's connection
before Airflow is imported, however the test process itself was started.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..compat import DAGS_TEST_REGISTERS_ASSETS
from ..conftest import AIRFLOW_HOME_KEY

HERE = Path(__file__).resolve().parent
DAGS = HERE / "dags"
BIN = Path(sys.executable).parent
LOGICAL_DATE = "2026-11-20T00:00:00+00:00"
DAG_RUN_TIMEOUT = 180


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def register_assets(env: dict[str, str]) -> None:
    """Before `airflow dags test` on Airflow 3.0, register the DAGs' assets as its DAG processor would
    (3.0's `dags test` does not; see tests/compat.py). Nothing to do on 3.1+."""
    if DAGS_TEST_REGISTERS_ASSETS:
        return
    done = run([str(BIN / "airflow"), "dags", "reserialize"], env, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def pools_command() -> list[str]:
    script = BIN / "peerclick-pools"
    return [str(script)] if script.exists() else [sys.executable, "-m", "airflow_provider_peerclick.pools"]


class AirflowHome:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pools_created = ""

    @property
    def env(self) -> dict[str, str]:
        """The environment of this home's Airflow processes, read anew each time: the running test's
        variables (its own host-local budget folder, see tests/conftest.py) reach them too."""
        return {
            **os.environ,
            "AIRFLOW_HOME": str(self.path),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "False",
        }

    def pools(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run([*pools_command(), *args], self.env)

    def airflow(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = run([str(BIN / "airflow"), *args], self.env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done


@pytest.fixture(scope="session")
def airflow_home(pytestconfig: pytest.Config) -> Iterator[AirflowHome]:
    session_home = pytestconfig.stash.get(AIRFLOW_HOME_KEY, None)
    path = Path(tempfile.mkdtemp(prefix="peerclick-airflow-", dir=session_home))
    home = AirflowHome(path)
    home.airflow("db", "migrate")
    created = home.pools("create")
    assert created.returncode == 0, created.stderr[-3000:]
    home.pools_created = created.stdout
    yield home
    shutil.rmtree(path, ignore_errors=True)


DagRunner = Callable[..., dict[str, Any]]


@pytest.fixture
def run_dag(airflow_home: AirflowHome, tmp_path: Path) -> DagRunner:
    """Run ``dags/<name>.py`` with ``dag.test()`` against an emulator; returns states, XComs and the log."""

    def run_one(
        name: str, emulator: Any, *, logical_date: str = LOGICAL_DATE, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """``env``: more variables for the run (other connections, ``AIRFLOW__PEERCLICK__BUDGET``)."""
        output = tmp_path / f"{name}.json"
        env = {**airflow_home.env, **emulator.conn_uri_env(), **(env or {})}
        started = time.monotonic()
        done = run(
            [
                sys.executable,
                str(HERE / "dag_runner.py"),
                str(DAGS / f"{name}.py"),
                logical_date,
                str(output),
            ],
            env,
            timeout=DAG_RUN_TIMEOUT,
        )
        log = done.stdout + done.stderr
        assert output.exists(), f"the DAG run did not finish (exit {done.returncode}):\n{log[-5000:]}"
        result = json.loads(output.read_text())
        result["log"] = log
        result["seconds"] = time.monotonic() - started
        return result

    return run_one
