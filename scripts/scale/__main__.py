"""
`make scale`: a 7-day backfill over two PeerClick accounts on a real distributed Airflow, and its numbers.

Brings up PostgreSQL and Redis (or uses PEERCLICK_SCALE_DATABASE_URL / PEERCLICK_SCALE_BROKER_URL), one
PeerClick emulator with two accounts, and Airflow with the CeleryExecutor: API server, scheduler, DAG
processor, triggerer and 3 Celery workers, all in ./scale_home. Creates the accounts' pools, unpauses
the scenario DAG (scripts/scale/dags), backfills it, waits for every run, then prints one row per account
and the `scale: ...` line. Exits non-zero on any refused request, a peak above PeerClick's limits, a run
that did not succeed, or a partition missing, without a manifest or not reconciling. Every process it
started is stopped on any exit.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from scripts.scale import deployment, results, scenario, second_deployment
from scripts.scale.metadata import FINISHED, Metadata, wait_until
from scripts.scale.processes import Interrupted, Supervisor, raise_on_termination, stop_leftovers
from scripts.scale.servers import start_servers

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "scale_home"
DAGS = Path(__file__).resolve().parent / "dags"
START_TIMEOUT = 240.0  # from `airflow db migrate` to the DAG in the database, on 2 busy cores
PROGRESS_EVERY = 30.0
PROCESS_REGISTRY = "process-groups.txt"


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def pool_commands(conn_ids: Sequence[str]) -> dict[str, list[str]]:
    """The CLI calls that create the accounts' pools (run side by side: each is ~5 s of start-up)."""
    # When the provider sizes pools per connection, this function becomes one line:
    # return {"pools": [deployment.PEERCLICK_POOLS, "create", *(f"--conn-id={c}" for c in conn_ids)]}
    calls = {}
    for conn_id in conn_ids:
        for name, slots in (
            (scenario.report_pool(conn_id), scenario.REPORT_POOL_SLOTS),
            (scenario.api_pool(conn_id), scenario.API_POOL_SLOTS),
        ):
            description = f"PeerClick {conn_id}: {slots} x 1 request/s (make scale)"
            calls[f"pool-{name}"] = [
                deployment.AIRFLOW,
                "pools",
                "set",
                name,
                str(slots),
                description,
                "--include-deferred",
            ]
    return calls


def expected_pools(conn_ids: Sequence[str]) -> dict[str, tuple[int, bool]]:
    return {
        name: (slots, True)
        for conn_id in conn_ids
        for name, slots in (
            (scenario.report_pool(conn_id), scenario.REPORT_POOL_SLOTS),
            (scenario.api_pool(conn_id), scenario.API_POOL_SLOTS),
        )
    }


class Emulator:
    """One `peerclick-emulator` with an access key per account, under the supervisor like the rest."""

    def __init__(self, supervisor: Supervisor, conn_ids: Sequence[str], home: Path) -> None:
        self.keys = {conn_id: (f"{conn_id}-id", secrets.token_urlsafe(16)) for conn_id in conn_ids}
        port_file = home / "emulator.port"
        self.request_log = supervisor.log_dir / "emulator-requests.jsonl"
        args = [sys.executable, "-m", "airflow_provider_peerclick.emulator", "--port", "0"]
        args += ["--port-file", str(port_file), "--seed", "42", "--request-log", str(self.request_log)]
        for access_id, access_key in self.keys.values():
            args += ["--access-id", access_id, "--access-key", access_key]
        supervisor.start("emulator", args, env=deployment.inherited_env())
        wait_until(
            port_file.exists,
            timeout=30,
            what="the emulator listening",
            interval=0.2,
            check=supervisor.check_alive,
        )
        self.base_url = f"http://127.0.0.1:{port_file.read_text().strip()}/v1"

    def connection_env(self, conn_id: str, **extra: Any) -> dict[str, str]:
        access_id, access_key = self.keys[conn_id]
        conn: dict[str, Any] = {"conn_type": "peerclick", "login": access_id, "password": access_key}
        conn["host"] = self.base_url
        if extra:
            conn["extra"] = extra
        return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn)}

    def conn_ids_by_access_id(self) -> dict[str, str]:
        return {access_id: conn_id for conn_id, (access_id, _) in self.keys.items()}

    def account_stats(self) -> dict[str, dict[str, Any]]:
        """The emulator's per-account counters, by connection ID."""
        stats = requests.get(f"{self.base_url.rsplit('/', 1)[0]}/__emulator__/stats", timeout=10).json()
        return {
            conn_id: stats["accounts"].get(access_id, {}) for conn_id, (access_id, _) in self.keys.items()
        }


def run(options: argparse.Namespace, supervisor: Supervisor) -> int:
    started = time.monotonic()
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=back) for back in range(options.days, 0, -1)]
    landing = HOME / "landing"
    accounts = scenario.ACCOUNTS

    step("Starting PostgreSQL and Redis")
    servers = start_servers(supervisor, HOME)
    print(f"  database {servers.database_url}\n  broker   {servers.broker_url}")

    step(f"Starting the PeerClick emulator ({len(accounts)} accounts)")
    emulator = Emulator(supervisor, accounts, HOME)
    print(f"  {emulator.base_url}")

    shared = options.second_deployment
    if shared and servers.rate_limit_store_url is None:
        raise RuntimeError("--second-deployment needs a Redis broker to hold the shared rate-limit store")
    connections: dict[str, str] = {}
    for conn_id in accounts:
        # Account A's connection names the shared store only when a second deployment shares it.
        extra = (
            second_deployment.connection_extra(servers.rate_limit_store_url or "")
            if (shared and conn_id == accounts[0])
            else {}
        )
        connections |= emulator.connection_env(conn_id, **extra)
    env = deployment.airflow_env(
        servers,
        home=HOME / "airflow",
        dags=DAGS,
        root=ROOT,
        extra={
            **connections,
            scenario.LANDING_ENV: str(landing),
            scenario.FIRST_UNSCHEDULED_DAY_ENV: today.isoformat(),
        },
    )
    logs = supervisor.log_dir
    step("airflow db migrate")
    deployment.run_cli([deployment.AIRFLOW, "db", "migrate"], env, logs, "db-migrate")
    print(f"  {time.monotonic() - started:.0f} s since start")

    step(
        "Starting Airflow: api-server, scheduler, dag-processor, triggerer, 3 Celery workers; creating pools"
    )
    deployment.start_components(supervisor, env)
    deployment.run_cli_parallel(pool_commands(accounts), env, logs)
    metadata = Metadata(servers.database_url)
    wanted = expected_pools(accounts)
    found = {name: value for name, value in metadata.pools().items() if name in wanted}
    if found != wanted:
        raise RuntimeError(f"pools: expected {wanted}, found {found}")
    print("  pools: " + ", ".join(f"{name} ({slots})" for name, (slots, _) in wanted.items()))
    wait_until(
        lambda: metadata.dag_parsed(scenario.DAG_ID),
        timeout=START_TIMEOUT,
        what=f"the DAG processor parsing {scenario.DAG_ID}",
        check=supervisor.check_alive,
    )
    deployment.run_cli([deployment.AIRFLOW, "dags", "unpause", scenario.DAG_ID], env, logs, "unpause")
    print(f"  ready {time.monotonic() - started:.0f} s after start")

    if shared:
        step(
            "Starting the second deployment on account A (shares the store at "
            f"{servers.rate_limit_store_url})"
        )
        supervisor.start(
            "second-deployment",
            second_deployment.argv(accounts[0], [day.isoformat() for day in days]),
            env={**env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"},
        )

    step(f"airflow backfill create: {days[0]} to {days[-1]} ({len(days)} runs, all active at once)")
    deployment.run_cli(
        [
            deployment.AIRFLOW,
            "backfill",
            "create",
            "--dag-id",
            scenario.DAG_ID,
            "--from-date",
            days[0].isoformat(),
            "--to-date",
            days[-1].isoformat(),
            "--max-active-runs",
            str(len(days)),
            "--reprocess-behavior",
            "completed",
        ],
        env,
        logs,
        "backfill",
    )
    backfill = metadata.latest_backfill(scenario.DAG_ID)
    assert backfill is not None
    wait_for_runs(metadata, backfill.id, len(days), options.timeout, supervisor)
    runs = metadata.runs(backfill.id)
    last_end = max(run.end_date for run in runs if run.end_date is not None)
    wall_s = (last_end - backfill.created_at).total_seconds()

    step("Results")
    per_account = emulator.account_stats()
    rows = [
        results.account_result(
            conn_id,
            per_account[conn_id],
            results.check_partitions(landing / conn_id, scenario.GROUP_BYS, days),
        )
        for conn_id in accounts
    ]
    tasks = metadata.task_states(backfill.id)
    print(f"  runs: {', '.join(f'{run.logical_date:%Y-%m-%d} {run.state}' for run in runs)}")
    print(f"  task instances: {tasks}")
    print(f"  make scale took {time.monotonic() - started:.0f} s; logs in {logs.relative_to(ROOT)}\n")
    results.print_table(rows)
    spans = metadata.task_spans(backfill.id)
    print("\n  the report slot of each account (what bounds wall_s; min_s counts only its requests):")
    for conn_id in accounts:
        use = results.report_slot_use(spans, scenario.report_pool(conn_id), wall_s)
        print(f"  {conn_id}: {use}")
    problems = results.failures(rows)
    problems += [f"run {run.run_id}: {run.state}" for run in runs if run.state != "success"]
    print()
    print(results.scale_line(rows, wall_s), flush=True)
    for line in results.refusals(emulator.request_log, emulator.conn_ids_by_access_id()):
        print(f"  {line}")
    for problem in problems:
        print(f"scale: FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


def wait_for_runs(
    metadata: Metadata, backfill_id: int, expected: int, timeout: float, supervisor: Supervisor
) -> None:
    last_print = time.monotonic()

    def finished() -> bool:
        nonlocal last_print
        runs = metadata.runs(backfill_id)
        if time.monotonic() - last_print >= PROGRESS_EVERY:
            last_print = time.monotonic()
            states: dict[str, int] = {}
            for run in runs:
                states[run.state] = states.get(run.state, 0) + 1
            print(f"  runs {states}; tasks {metadata.task_states(backfill_id)}", flush=True)
        return len(runs) == expected and all(run.state in FINISHED for run in runs)

    wait_until(
        finished, timeout=timeout, what="the backfill's runs", interval=2.0, check=supervisor.check_alive
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7, help="days to backfill, ending yesterday (UTC)")
    parser.add_argument("--timeout", type=float, default=480.0, help="seconds the backfill may take")
    parser.add_argument(
        "--second-deployment",
        action="store_true",
        help="also call account A from a separate process sharing the Redis rate-limit store "
        "(needs the provider's `rate_limit_store` support; see scripts/scale/second_deployment.py)",
    )
    options = parser.parse_args(argv)
    raise_on_termination()
    leftovers = stop_leftovers(HOME / PROCESS_REGISTRY, sys.prefix)
    if leftovers:
        print(f"scale: stopped {leftovers} processes left by an earlier run that was killed")
    shutil.rmtree(HOME, ignore_errors=True)
    (HOME / "logs").mkdir(parents=True)
    supervisor = Supervisor(HOME / "logs", HOME / PROCESS_REGISTRY)
    try:
        return run(options, supervisor)
    except (KeyboardInterrupt, Interrupted) as stopped:
        print(f"\nscale: interrupted ({str(stopped) or 'SIGINT'}); stopping everything", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError) as error:
        # Ours: the message says what failed and ends with the log that shows why.
        print(f"\nscale: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
