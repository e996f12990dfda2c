"""
`make scale`: a 7-day backfill over two PeerClick accounts on a real distributed Airflow, and its numbers.

Brings up PostgreSQL and Redis (or uses PEERCLICK_SCALE_DATABASE_URL / PEERCLICK_SCALE_BROKER_URL), one
PeerClick emulator with two accounts, and Airflow with the CeleryExecutor: API server, scheduler, DAG
processor, triggerer and 3 Celery workers, all in ./scale_home. Creates the accounts' pools, unpauses
the scenario DAG (scripts/scale/dags), backfills it, waits for every run, then prints one row per account
and the `scale: ...` line. With `--executor local` (`make scale-local`): no Redis, the LocalExecutor, the
provider's default host-local budget, and the DAG's tasks mapped over both accounts. Exits non-zero on
any refused request, a peak above PeerClick's limits, a run that did not succeed, or a partition missing,
without a manifest or not reconciling. Every process it started is stopped on any exit.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scripts.scale import deployment, failures, results, scenario, second_deployment
from scripts.scale.emulator import Emulator
from scripts.scale.metadata import FINISHED, Backfill, Metadata, Run, wait_until
from scripts.scale.pools import expected_pools, pool_commands
from scripts.scale.processes import Interrupted, Supervisor, raise_on_termination, stop_leftovers
from scripts.scale.secret_scan import Scan, scan_files, scan_redis_server, scan_rows, secrets_to_find
from scripts.scale.servers import Servers, start_servers

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "scale_home"
DAGS = Path(__file__).resolve().parent / "dags"
LANDING = HOME / "landing"
FAILURES = HOME / "failures.jsonl"
PROCESS_REGISTRY = HOME / "process-groups.txt"
START_TIMEOUT = 240.0  # from the components' start to the DAG in the database, on 2 busy cores
PROGRESS_EVERY = 30.0
SECOND_DEPLOYMENT = "second-deployment"


@dataclass(frozen=True)
class Stack:
    servers: Servers
    emulator: Emulator
    env: dict[str, str]
    metadata: Metadata
    stored: tuple[str, ...]  # the accounts whose budget the rate-limit store keeps
    wrong_key: str | None  # the failures DAG's wrong access key, when it runs (see failures_dag)
    layout: str  # scenario.PER_ACCOUNT or scenario.MAPPED_ACCOUNTS
    # (table, row) seen while tasks were deferred: a finished trigger's row is deleted
    live_rows: set[tuple[str, str]] = field(default_factory=set)

    @property
    def failures_dag(self) -> bool:
        """The failures DAG's wrong key shares account A's budget through the store, so needs one."""
        return self.wrong_key is not None

    @property
    def local(self) -> bool:
        """The LocalExecutor: every task on this host, so every account's budget is the host's."""
        return self.servers.broker_url is None

    @property
    def shared_pools(self) -> tuple[str, ...]:
        """The connections whose pools only bound concurrency: a shared budget keeps their rate."""
        return scenario.shared_pool_owners(self.layout, self.stored, local=self.local)

    def budget(self, conn_id: str) -> str:
        if conn_id in self.stored:
            return "redis"
        return "host" if self.local else "per process"


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7, help="days to backfill, ending yesterday (UTC)")
    parser.add_argument("--timeout", type=float, default=480.0, help="seconds the backfill may take")
    parser.add_argument(
        "--second-deployment",
        action="store_true",
        help="also call account A from a separate process sharing the Redis rate-limit store "
        "(needs the provider's `rate_limit_store`; see scripts/scale/second_deployment.py)",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="every account's connection names the Redis rate-limit store (needs the provider's support)",
    )
    parser.add_argument(
        "--executor",
        choices=("celery", "local"),
        default="celery",
        help="local: no Redis, the LocalExecutor and the provider's default host-local budget, every task "
        "mapped over both accounts",
    )
    options = parser.parse_args(argv)
    if options.executor == "local" and (options.store or options.second_deployment):
        parser.error("--store and --second-deployment need Redis, which --executor local runs without")
    return supervised("scale", lambda supervisor: run(options, supervisor))


def supervised(name: str, run: Callable[[Supervisor], int]) -> int:
    """``run`` on a fresh scale_home, every process it starts stopped however it ends; `name` begins the
    lines that say how it failed."""
    raise_on_termination()
    leftovers = stop_leftovers(PROCESS_REGISTRY, sys.prefix)
    if leftovers:
        print(f"{name}: stopped {leftovers} processes left by an earlier run that was killed")
    shutil.rmtree(HOME, ignore_errors=True)
    (HOME / "logs").mkdir(parents=True)
    supervisor = Supervisor(HOME / "logs", PROCESS_REGISTRY)
    try:
        return run(supervisor)
    except (KeyboardInterrupt, Interrupted) as stopped:
        print(f"\n{name}: interrupted ({str(stopped) or 'SIGINT'}); stopping everything", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError) as error:
        # Ours: the message says what failed and ends with the log that shows why.
        print(f"\n{name}: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop_all()


def run(options: argparse.Namespace, supervisor: Supervisor) -> int:
    started = time.monotonic()
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=back) for back in range(options.days, 0, -1)]
    # A second deployment can only share account A's budget through the store.
    stored = scenario.ACCOUNTS if options.store else (scenario.SHARED_ACCOUNT,) * options.second_deployment
    local = options.executor == "local"
    layout = scenario.MAPPED_ACCOUNTS if local else scenario.PER_ACCOUNT
    stack = bring_up(supervisor, today, stored=stored, layout=layout, broker=not local)
    print(f"  ready {time.monotonic() - started:.0f} s after start")
    if options.second_deployment:
        start_second_deployment(supervisor, stack, days)
    backfill, runs = backfill_and_wait(stack, supervisor, days, options.timeout)
    if options.second_deployment:
        # Its requests after the backfill would count against account A but not in wall_s.
        supervisor.stop(SECOND_DEPLOYMENT)
    print(f"  make scale took {time.monotonic() - started:.0f} s so far; logs in {supervisor.log_dir}")
    return report(stack, backfill, runs, days)


def bring_up(
    supervisor: Supervisor,
    today: date,
    *,
    stored: Sequence[str],
    layout: str,
    broker: bool,
    separate_store: bool = False,
    settings: Mapping[str, str] | None = None,
) -> Stack:
    """The deployment, up to the scenario DAG unpaused; ``settings`` adds Airflow settings (`make chaos`)."""
    step("Starting PostgreSQL and Redis" if broker else "Starting PostgreSQL (no Redis)")
    servers = start_servers(supervisor, HOME, broker=broker, separate_store=separate_store)
    print(f"  database {servers.database_url}\n  broker   {servers.broker_url}")

    step(f"Starting the PeerClick emulator ({len(scenario.ACCOUNTS)} accounts)")
    emulator = Emulator(supervisor, scenario.ACCOUNTS, HOME)
    print(f"  {emulator.base_url}")
    if stored and servers.rate_limit_store_url is None:
        raise RuntimeError("a rate-limit store needs a Redis broker (PEERCLICK_SCALE_BROKER_URL=redis://...)")

    connections: dict[str, str] = {}
    store = str(servers.rate_limit_store_url)
    for conn_id in scenario.ACCOUNTS:
        extra = second_deployment.connection_extra(store) if conn_id in stored else {}
        connections |= emulator.connection_env(conn_id, **extra)
    wrong_key = None
    if scenario.SHARED_ACCOUNT in stored:
        wrong, wrong_key = emulator.wrong_key_env(
            scenario.WRONG_KEY_CONN_ID, scenario.SHARED_ACCOUNT, **second_deployment.connection_extra(store)
        )
        connections |= wrong
    if stored:
        print(f"  rate-limit store {servers.rate_limit_store_url} for {', '.join(stored)}")
    owners = scenario.pool_owners(layout)
    shared = scenario.shared_pool_owners(layout, tuple(stored), local=not broker)
    env = deployment.airflow_env(
        servers,
        task_slots=scenario.task_slots(layout, shared),
        home=HOME / "airflow",
        dags=DAGS,
        root=ROOT,
        extra={
            **connections,
            scenario.LANDING_ENV: str(LANDING),
            scenario.FIRST_UNSCHEDULED_DAY_ENV: today.isoformat(),
            scenario.FAILURES_ENV: str(FAILURES),
            scenario.LAYOUT_ENV: layout,
            **(settings or {}),
        },
    )
    logs = supervisor.log_dir
    step("airflow db migrate")
    deployment.run_cli([deployment.AIRFLOW, "db", "migrate"], env, logs, "db-migrate")

    workers = f"{deployment.WORKERS} Celery workers" if broker else "the LocalExecutor"
    step(f"Starting Airflow (api-server, scheduler, dag-processor, triggerer, {workers}); pools")
    deployment.start_components(supervisor, env)
    deployment.run_cli_parallel(pool_commands(owners, shared), env, logs)
    metadata = Metadata(servers.database_url)
    wanted = expected_pools(owners, shared)
    found = {name: value for name, value in metadata.pools().items() if name in wanted}
    if found != wanted:
        raise RuntimeError(f"pools: expected {wanted}, found {found}")
    print("  pools: " + ", ".join(f"{name} ({slots})" for name, (slots, _) in wanted.items()))
    dag_ids = [scenario.DAG_ID] + [scenario.FAILURES_DAG_ID] * (wrong_key is not None)
    wait_until(
        lambda: all(metadata.dag_parsed(dag_id) for dag_id in dag_ids),
        timeout=START_TIMEOUT,
        what=f"the DAG processor parsing {', '.join(dag_ids)}",
        check=supervisor.check_alive,
    )
    unpause = {f"unpause-{dag_id}": [deployment.AIRFLOW, "dags", "unpause", dag_id] for dag_id in dag_ids}
    deployment.run_cli_parallel(unpause, env, logs)
    return Stack(servers, emulator, env, metadata, tuple(stored), wrong_key, layout)


def start_second_deployment(supervisor: Supervisor, stack: Stack, days: Sequence[date]) -> None:
    step(f"Second deployment on {scenario.SHARED_ACCOUNT}, store {stack.servers.rate_limit_store_url}")
    supervisor.start(
        SECOND_DEPLOYMENT,
        second_deployment.argv(scenario.SHARED_ACCOUNT, [day.isoformat() for day in days]),
        env=stack.env,
    )


def backfill_and_wait(
    stack: Stack, supervisor: Supervisor, days: Sequence[date], timeout: float
) -> tuple[Backfill, list[Run]]:
    step(f"airflow backfill create: {days[0]} to {days[-1]} ({len(days)} runs, all active at once)")
    # Airflow allows one open backfill per DAG, and its scheduler closes finished ones only every 30 s: a
    # database given by URL can still hold the previous run's.
    wait_until(
        lambda: stack.metadata.open_backfills(scenario.DAG_ID) == 0,
        timeout=90,
        what=f"an earlier backfill of {scenario.DAG_ID} in this database to be closed by the scheduler",
        check=supervisor.check_alive,
    )
    command = [deployment.AIRFLOW, "backfill", "create", "--dag-id", scenario.DAG_ID]
    command += ["--from-date", days[0].isoformat(), "--to-date", days[-1].isoformat()]
    # `completed`: a database given by URL may hold these days from an earlier run.
    command += ["--max-active-runs", str(len(days)), "--reprocess-behavior", "completed"]
    calls = {"backfill": command}
    if stack.failures_dag:
        calls["trigger-failures"] = [deployment.AIRFLOW, "dags", "trigger", scenario.FAILURES_DAG_ID]
    deployment.run_cli_parallel(calls, stack.env, supervisor.log_dir)
    backfill = stack.metadata.latest_backfill(scenario.DAG_ID)
    if backfill is None:
        raise RuntimeError("airflow backfill create succeeded but no backfill is in the database")
    last_print = time.monotonic()

    def finished() -> bool:
        nonlocal last_print
        runs = stack.metadata.runs(backfill.id)
        stack.live_rows.update(stack.metadata.live_rows())
        if time.monotonic() - last_print >= PROGRESS_EVERY:
            last_print = time.monotonic()
            states = [run.state for run in runs]
            counts = {state: states.count(state) for state in sorted(set(states))}
            print(f"  runs {counts}; task instances {stack.metadata.task_states(backfill.id)}", flush=True)
        return len(runs) == len(days) and all(run.state in FINISHED for run in runs)

    wait_until(finished, timeout=timeout, what="the backfill", interval=2.0, check=supervisor.check_alive)
    if stack.failures_dag:
        wait_until(
            lambda: set(stack.metadata.dag_run_states(scenario.FAILURES_DAG_ID)) <= set(FINISHED),
            timeout=120,
            what=f"the {scenario.FAILURES_DAG_ID} run",
            interval=2.0,
            check=supervisor.check_alive,
        )
    return backfill, stack.metadata.runs(backfill.id)


def report(stack: Stack, backfill: Backfill, runs: Sequence[Run], days: Sequence[date]) -> int:
    step("Results")
    last_end = max(run.end_date for run in runs if run.end_date is not None)
    wall_s = (last_end - backfill.created_at).total_seconds()
    per_account = stack.emulator.account_stats()
    access_ids = {conn_id: access_id for access_id, conn_id in stack.emulator.conn_ids_by_access_id().items()}
    paces = results.paces(stack.emulator.request_log, access_ids, second_deployment.AGENT)
    rows = [
        results.account_result(
            conn_id,
            per_account[conn_id],
            results.check_partitions(LANDING / conn_id, scenario.GROUP_BYS, days),
            budget=stack.budget(conn_id),
            pace=paces[conn_id],
        )
        for conn_id in scenario.ACCOUNTS
    ]
    print(f"  runs: {', '.join(f'{run.logical_date:%Y-%m-%d} {run.state}' for run in runs)}")
    print(f"  task instances: {stack.metadata.task_states(backfill.id)}\n")
    results.print_table(rows)
    spans = stack.metadata.task_spans(backfill.id)
    print("\n  each report pool (what bounds wall_s with a per-process budget):")
    for owner in scenario.pool_owners(stack.layout):
        slots, _ = scenario.pool_slots(owner, stack.shared_pools)
        use = results.report_slot_use(spans, scenario.report_pool(owner), slots, wall_s)
        print(f"  {scenario.report_pool(owner)} ({slots} slot(s)): {use}")
    for line in results.refusals(stack.emulator.request_log, stack.emulator.conn_ids_by_access_id()):
        print(f"  {line}")
    problems = results.failures(rows)
    problems += [f"run {run.run_id}: {run.state}" for run in runs if run.state != "success"]
    problems += check_failures_and_secrets(stack)
    print()
    print(results.scale_line(rows, wall_s), flush=True)
    for problem in problems:
        print(f"scale: FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


def check_failures_and_secrets(stack: Stack) -> list[str]:
    """The failures DAG's exceptions, then the secret scan over everything the run wrote."""
    problems = []
    if stack.failures_dag:
        print(f"\n  {scenario.FAILURES_DAG_ID} (each task fails after a retry):")
        for line in failures.describe(FAILURES):
            print(f"  {line}")
        problems += failures.check(FAILURES, stack.metadata.task_tries(scenario.FAILURES_DAG_ID))
    keys = {conn_id: key for conn_id, (_, key) in stack.emulator.keys.items()}
    if stack.wrong_key is not None:
        keys[scenario.WRONG_KEY_CONN_ID] = stack.wrong_key
    scan = Scan(secrets_to_find(keys, stack.emulator.issued_tokens()))
    # Server data is searched through the servers, where it is not compressed or paged.
    scan_files(scan, HOME, skip=[HOME / "postgres", HOME / "redis"])
    live = {
        f"{table} (while deferred)": [row for name, row in stack.live_rows if name == table]
        for table in ("trigger", "task_instance")
    }
    scan_rows(scan, {**stack.metadata.all_rows(), **live})
    if stack.servers.broker_url is not None:
        scan_redis_server(scan, stack.servers.broker_url)
    print(f"\n  secret scan: {scan.summary()}")
    problems += [f"{finding.secret} found in {finding.where}" for finding in scan.findings]
    if not live["trigger (while deferred)"]:
        problems.append("secret scan: no trigger row was seen while tasks were deferred")
    return problems


if __name__ == "__main__":
    sys.exit(main())
