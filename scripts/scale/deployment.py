"""The Airflow side: one environment for every component, and the components themselves."""

from __future__ import annotations

import math
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.scale.processes import Supervisor, free_port
from scripts.scale.servers import Servers

BIN = Path(sys.executable).parent
AIRFLOW = str(BIN / "airflow")
PEERCLICK_POOLS = str(BIN / "peerclick-pools")
WORKERS = 3
# The LocalExecutor's task processes at once: both accounts' pools full (2 x 4 slots).
PARALLELISM = 8


def airflow_env(
    servers: Servers, home: Path, dags: Path, root: Path, extra: Mapping[str, str], task_slots: int
) -> dict[str, str]:
    """The settings every component shares; `extra` adds the connections and the scenario's variables.

    With a broker, the CeleryExecutor and its workers; without one, the LocalExecutor, whose scheduler
    runs every task on this host.

    The workers get a process for each of the ``task_slots`` pool slots, so the pools, not the workers,
    are what limits: a task waiting for its turn in a shared budget holds its worker process, and with
    fewer processes than slots one account's waiting tasks kept the other's report tasks queued (account
    B 2.7x with 3 x 2 processes for 11 slots)."""
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    if servers.broker_url is None:
        executor = {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
        }
    else:
        executor = {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": servers.broker_url,
            # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3: name the driver we install.
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + servers.sqlalchemy_url,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(math.ceil(task_slots / WORKERS)),
        }
    return {
        # A clean environment but for PATH, locale and proxy exceptions: a developer's AIRFLOW__* settings
        # must not leak into the deployment.
        **inherited_env(),
        "AIRFLOW_HOME": str(home),
        # The DAG file imports scripts.scale.scenario from the checkout; a PYTHONPATH we were given comes
        # first, so the components import the same code as this harness.
        "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(root)])),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        **executor,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": servers.sqlalchemy_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",  # 2 cores: one uvicorn worker serves the task API for this load
        # Components started together on an empty home would each generate their own and reject each
        # other's tokens.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        **extra,
    }


def inherited_env() -> dict[str, str]:
    """What a child takes from our environment: PATH, locale, proxy exceptions; no AIRFLOW_* settings."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "NO_PROXY", "no_proxy")
    return {name: os.environ[name] for name in keep if name in os.environ}


def run_cli(args: Sequence[str], env: Mapping[str, str], log_dir: Path, name: str) -> None:
    """One `airflow ...` (or console script) call, about 5 s of start-up each; its output goes to a log."""
    log = log_dir / f"cli-{name}.log"
    with log.open("ab") as out:
        done = subprocess.run(list(args), env=dict(env), stdout=out, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if done.returncode:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}); end of {log}:\n{tail}")


def run_cli_parallel(calls: Mapping[str, Sequence[str]], env: Mapping[str, str], log_dir: Path) -> None:
    """Independent CLI calls at once: their start-up is most of their cost."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run_cli, args, env, log_dir, name) for name, args in calls.items()]
        for future in futures:
            future.result()


def start_components(supervisor: Supervisor, env: Mapping[str, str]) -> None:
    """Scheduler, DAG processor, triggerer, API server and, for Celery, the workers, each in its own
    group (the LocalExecutor's scheduler runs tasks itself)."""
    supervisor.start("api-server", [AIRFLOW, "api-server"], env=env)
    supervisor.start("scheduler", [AIRFLOW, "scheduler", "--skip-serve-logs"], env=env)
    supervisor.start("dag-processor", [AIRFLOW, "dag-processor"], env=env)
    supervisor.start("triggerer", [AIRFLOW, "triggerer"], env=env)
    if env["AIRFLOW__CORE__EXECUTOR"] != "CeleryExecutor":
        return
    for number in range(1, WORKERS + 1):
        start_worker(supervisor, env, number)


def start_worker(supervisor: Supervisor, env: Mapping[str, str], number: int) -> str:
    """Celery worker ``number``, as `worker-{number}`; returns that name."""
    # Workers on one host need their own name and log server port.
    worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
    name = f"worker-{number}"
    supervisor.start(
        name,
        [AIRFLOW, "celery", "worker", "-H", f"w{number}@%h", "--without-mingle", "--without-gossip"],
        env=worker_env,
    )
    return name
