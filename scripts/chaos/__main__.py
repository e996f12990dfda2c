"""
`make chaos`: `make scale`'s deployment (PostgreSQL, Redis, CeleryExecutor, 3 workers, two accounts; A's
budget in a Redis rate-limit store of its own, B's per process), brought up once, then the same backfill
run again under each failure production brings:

- ``clean``: no failure; its landing is what every other scenario's must equal, partition by partition;
- ``worker-kill``: `kill -9` of the Celery worker (and its task) running a landing, mid-landing;
- ``triggerer-kill``: `kill -9` of the triggerer while report sensors are deferred, started again 5 s later;
- ``store-outage``: the rate-limit store's Redis killed for 30 s mid-backfill, then started again empty;
- ``api-faults``: 35% of API requests fail for the whole backfill (5xx, 429 with and without Retry-After,
  dropped connections, slow answers), and every session token expires early, every 20 s;
- ``crowded-triggerer`` (last: it leaves its sensors deferred): 150 PeerClick sensors deferred, their polls
  waiting for account A's budget, beside Airflow's own deferrable ``DateTimeSensorAsync``, which must fire
  within 5 s of its time (``crowd.py``).

`python -m scripts.chaos NAME ...` runs only the scenarios named (and ``clean`` before any that lands).

Before each scenario its landing folder is moved aside, so each lands from nothing. One row per scenario,
then the `chaos: ...` line; exits non-zero on any miss.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from scripts.chaos.crowd import run_crowd
from scripts.chaos.partitions import Landing, changed, read_landing
from scripts.scale import __main__ as scale
from scripts.scale import deployment, scenario
from scripts.scale.metadata import wait_until
from scripts.scale.processes import Supervisor
from scripts.scale.servers import STORE_NAME, start_redis

DAYS = 2
BACKFILL_TIMEOUT = 600.0
# Airflow's default is 300 s: a killed worker's task is failed (and retried) that long after its last
# heartbeat. Shortened here so the scenario fits CI; docs/guide/deploying.md gives the default.
HEARTBEAT_TIMEOUT = 45
OUTAGE_SECONDS = 30.0
TRIGGERER_DOWN_SECONDS = 5.0
TOKEN_EXPIRY_EVERY = 20.0
SLOW_PAGE_SECONDS = 4.0
STORE_BACK = r"store answered again after ([0-9.]+) s"  # what the provider logs after an outage
# Shares of every API request (the token exchange aside) that fail: 35% in all.
FAULTS: tuple[dict[str, Any], ...] = (
    {"status": 503, "rate": 0.10},
    {"status": 429, "retry_after": "2", "rate": 0.075},
    {"status": 429, "rate": 0.075},
    {"drop": True, "rate": 0.05},
    {"latency": 3.0, "rate": 0.05},
)
CHAOS = scale.HOME / "chaos"
CROWDED = "crowded-triggerer"


@dataclasses.dataclass(frozen=True)
class Running:
    """A task instance seen running."""

    task_id: str
    map_index: int
    run_id: str
    try_number: int
    pid: int
    started: float  # epoch seconds


@dataclasses.dataclass
class Outcome:
    name: str
    wall_s: float
    runs: str
    retries: int
    refused: int
    changed: list[str]
    unnamed: list[Path]
    what: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not (self.problems or self.refused or self.changed or self.unnamed)


class Chaos:
    """The running deployment, and what each scenario does to it while its backfill runs."""

    def __init__(self, supervisor: Supervisor, stack: scale.Stack, days: Sequence[Any]) -> None:
        self.supervisor = supervisor
        self.stack = stack
        self.emulator = stack.emulator
        self.days = days
        self.notes: list[str] = []
        self.started = time.time()  # the running scenario's start
        # What a scenario reports once its backfill is over, beside what it did.
        self.after_backfill: Callable[[], str] | None = None
        self._log_read = 0  # bytes of the emulator's request log already read
        self.stop = threading.Event()
        # One thread for every scenario's action, alive until the end: a process restarted from a thread
        # is killed when that thread ends (the supervisor's parent-death signal is per thread).
        self.actions = ThreadPoolExecutor(1, thread_name_prefix="chaos")

    # What happens to the deployment: each runs in a thread beside the backfill.
    def nothing(self) -> None:
        return

    def kill_worker(self) -> None:
        # Report answers are slowed so the kill finds the landing waiting on its page, not already done.
        self.emulator.control(
            "POST", "faults", {"latency": SLOW_PAGE_SECONDS, "path": "/report", "rate": 1.0}
        )
        try:
            landing = self._wait_for_running_landing()
            self._wait(lambda: self._report_sent(landing), f"{landing.task_id}'s report request")
            worker = next(
                (
                    child.name
                    for child in list(self.supervisor.children)
                    if child.name.startswith("worker-") and landing.pid in _tree(child.process.pid)
                ),
                None,
            )
            if worker is None:
                raise RuntimeError(f"no Celery worker runs {landing.task_id}'s process {landing.pid}")
            self.supervisor.kill(worker)
            killed = time.time()
        finally:
            self.emulator.control("DELETE", "faults")
        deployment.start_worker(self.supervisor, self.stack.env, int(worker.rsplit("-", 1)[1]))
        self.notes.append(f"kill -9 {worker} mid-request of {landing.task_id}[{landing.map_index}]")
        self.after_backfill = lambda: self._retried(landing, killed)

    def _report_sent(self, landing: Running) -> bool:
        access_id = self.emulator.keys[landing.task_id.split(".")[0]][0]
        return any(
            record["account"] == access_id
            and record["path"].startswith("/report")
            and record["time"] >= landing.started
            for record in self._new_requests()
        )

    def _new_requests(self) -> list[dict[str, Any]]:
        """The emulator's request log records written since the last call (whole lines only)."""
        with self.emulator.request_log.open("rb") as log:
            log.seek(self._log_read)
            chunk = log.read()
        whole = chunk[: chunk.rfind(b"\n") + 1]
        self._log_read += len(whole)
        return [json.loads(line) for line in whole.splitlines()]

    def _retried(self, landing: Running, killed: float) -> str:
        """When Airflow failed the killed try, from the task instance's history."""
        rows = self.stack.metadata.rows(
            "SELECT state, end_date FROM task_instance_history WHERE dag_id = %s AND task_id = %s "
            "AND map_index = %s AND run_id = %s AND try_number = %s",
            scenario.DAG_ID,
            landing.task_id,
            landing.map_index,
            landing.run_id,
            landing.try_number,
        )
        if not rows or rows[0][1] is None:
            return "the killed try has no history row"
        state, ended = rows[0]
        return f"try {landing.try_number} {state} {ended.timestamp() - killed:.0f} s after the kill, retried"

    def kill_triggerer(self) -> None:
        self._wait(lambda: bool(self.stack.metadata.rows("SELECT 1 FROM trigger")), "a deferred sensor")
        deferred = len(self.stack.metadata.rows("SELECT id FROM trigger"))
        self.supervisor.kill("triggerer")
        time.sleep(TRIGGERER_DOWN_SECONDS)
        self.supervisor.start("triggerer", [deployment.AIRFLOW, "triggerer"], env=self.stack.env)
        self.notes.append(f"kill -9 triggerer with {deferred} trigger(s) deferred; restarted")

    def store_outage(self) -> None:
        self._wait_for_running_landing(scenario.SHARED_ACCOUNT)
        time.sleep(1.0)  # into its requests, not its start-up
        url = str(self.stack.servers.rate_limit_store_url)
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        self.supervisor.kill(STORE_NAME)
        time.sleep(OUTAGE_SECONDS)
        start_redis(self.supervisor, scale.HOME / STORE_NAME, name=STORE_NAME, port=port)
        self.notes.append(f"store Redis down {OUTAGE_SECONDS:.0f} s, back empty")
        self.after_backfill = self._store_waits

    def _store_waits(self) -> str:
        """The task and trigger logs' "answered again after N s": who waited the outage out, and how long."""
        waits = [
            float(found)
            for log in (scale.HOME / "airflow" / "logs").rglob("*.log*")
            if log.stat().st_mtime >= self.started
            for found in re.findall(STORE_BACK, log.read_text(errors="replace"))
        ]
        return f"{len(waits)} task(s) waited for the store, longest {max(waits, default=0):.0f} s"

    def api_faults(self) -> None:
        before = self.emulator.control("GET", "stats")
        for fault in FAULTS:
            self.emulator.control("POST", "faults", fault)
        expiries = 0
        while not self.stop.wait(TOKEN_EXPIRY_EVERY):
            self.emulator.control("POST", "expire-tokens")
            expiries += 1
        self.emulator.control("DELETE", "faults")
        after = self.emulator.control("GET", "stats")
        served = after["faults_served"] - before["faults_served"]
        sent = after["requests"] - before["requests"]
        self.notes.append(f"{served} of {sent} requests faulted, tokens expired {expiries} times")

    def _wait_for_running_landing(self, account: str = "%") -> Running:
        """A landing task instance that has begun, once there is one."""
        found: list[Running] = []

        def running() -> bool:
            rows = self.stack.metadata.rows(
                "SELECT task_id, map_index, run_id, try_number, pid, start_date FROM task_instance "
                "WHERE dag_id = %s AND task_id LIKE %s AND state = 'running' AND pid IS NOT NULL",
                scenario.DAG_ID,
                f"{account}.land",
            )
            found.extend(Running(*row[:5], started=row[5].timestamp()) for row in rows)
            return bool(found)

        self._wait(running, "a running landing")
        return found[0]

    def _wait(self, done: Callable[[], bool], what: str) -> None:
        wait_until(done, timeout=BACKFILL_TIMEOUT, what=what, interval=0.5, check=lambda: None)

    def run(self, name: str, action: Callable[[], None], clean: Landing | None) -> tuple[Outcome, Landing]:
        scale.step(f"chaos: {name}")
        if scale.LANDING.exists():
            shutil.move(scale.LANDING, CHAOS / f"landing-before-{name}")
        before_tries = self._tries()
        refused_before = self._refused()
        self.notes, errors = [], []
        self.after_backfill = None
        self.started = time.time()
        self.stop.clear()

        def act() -> None:
            try:
                action()
            except Exception as error:  # reported as the scenario's problem
                errors.append(f"{name}: {type(error).__name__}: {error}")

        acting = self.actions.submit(act)
        backfill, runs = scale.backfill_and_wait(self.stack, self.supervisor, self.days, BACKFILL_TIMEOUT)
        self.stop.set()
        acting.result(timeout=OUTAGE_SECONDS + 30)
        if self.after_backfill is not None:
            self.notes.append(self.after_backfill())
        wall = max(run.end_date for run in runs if run.end_date is not None) - backfill.created_at
        landing = read_landing(scale.LANDING, scenario.ACCOUNTS, scenario.GROUP_BYS, self.days)
        problems = errors + [f"run {run.run_id}: {run.state}" for run in runs if run.state != "success"]
        outcome = Outcome(
            name=name,
            wall_s=wall.total_seconds(),
            runs=", ".join(f"{run.logical_date:%m-%d} {run.state}" for run in runs),
            retries=_retries(before_tries, self._tries()),
            refused=self._refused() - refused_before,
            changed=changed(landing, clean or landing),
            unnamed=landing.unnamed,
            what="; ".join(self.notes) or "-",
            problems=problems,
        )
        print(f"  {outcome.name}: {outcome.wall_s:.0f} s, {outcome.runs}; {outcome.what}", flush=True)
        return outcome, landing

    def crowded(self) -> Outcome:
        """The crowded triggerer; last, since it leaves its sensors deferred."""
        scale.step(f"chaos: {CROWDED}")
        refused_before = self._refused()
        started = time.monotonic()
        crowd = run_crowd(self.stack, self.supervisor.log_dir, self.supervisor.check_alive)
        outcome = Outcome(
            name=CROWDED,
            wall_s=time.monotonic() - started,
            runs=f"clock {crowd.clock_run}",
            retries=0,
            refused=self._refused() - refused_before,
            changed=[],
            unnamed=[],
            what=crowd.describe(),
            problems=crowd.problems,
        )
        print(f"  {outcome.name}: {outcome.wall_s:.0f} s; {outcome.what}", flush=True)
        return outcome

    def _tries(self) -> dict[tuple[str, str, int], int]:
        rows = self.stack.metadata.rows(
            "SELECT run_id, task_id, map_index, try_number FROM task_instance WHERE dag_id = %s",
            scenario.DAG_ID,
        )
        return {(run_id, task_id, index): tries for run_id, task_id, index, tries in rows}

    def _refused(self) -> int:
        return sum(stats.get("refused", 0) for stats in self.stack.emulator.account_stats().values())


def _tree(pid: int) -> set[int]:
    try:
        root = psutil.Process(pid)
        return {pid} | {child.pid for child in root.children(recursive=True)}
    except psutil.Error:
        return set()


def _retries(before: dict[tuple[str, str, int], int], after: dict[tuple[str, str, int], int]) -> int:
    """Tries beyond the first in this backfill: a cleared task instance's first try also counts one up."""
    return sum(tries - before.get(key, 0) - 1 for key, tries in after.items() if tries > before.get(key, 0))


def creates(request_log: Path) -> int:
    """Entity creates PeerClick accepted. The scenario DAG creates nothing, so any is one a retry or a
    replay sent: a duplicate."""
    lines = request_log.read_text().splitlines() if request_log.exists() else []
    records = [json.loads(line) for line in lines]
    return sum(
        1
        for record in records
        if record["method"] == "POST" and record["accepted"] and not record["path"].startswith("/auth")
    )


def print_rows(outcomes: Sequence[Outcome]) -> None:
    heads = ("wall_s", "retries", "refused", "changed", "unnamed")
    print(f"\n  {'scenario':<18} " + " ".join(f"{head:>7}" for head in heads) + "  result")
    for o in outcomes:
        result = "passed" if o.passed else "FAILED"
        print(
            f"  {o.name:<18} {o.wall_s:>7.0f} {o.retries:>7} {o.refused:>7} {len(o.changed):>7} "
            f"{len(o.unnamed):>7}  {result}: {o.what}"
        )


def main() -> int:
    return scale.supervised("chaos", run)


def run(supervisor: Supervisor) -> int:
    started = time.monotonic()
    CHAOS.mkdir()
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=back) for back in range(DAYS, 0, -1)]
    settings = {"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT)}
    stack = scale.bring_up(
        supervisor,
        today,
        stored=(scenario.SHARED_ACCOUNT,),
        layout=scenario.PER_ACCOUNT,
        broker=True,
        separate_store=True,
        settings=settings,
    )
    # The failures DAG is `make scale`'s secret scan, not a failure of the deployment.
    stack = dataclasses.replace(stack, wrong_key=None)
    print(f"  ready {time.monotonic() - started:.0f} s after start")
    chaos = Chaos(supervisor, stack, days)
    scenarios = {
        "worker-kill": chaos.kill_worker,
        "triggerer-kill": chaos.kill_triggerer,
        "store-outage": chaos.store_outage,
        "api-faults": chaos.api_faults,
    }
    chosen = sys.argv[1:] or [*scenarios, CROWDED]
    unknown = set(chosen) - {*scenarios, CROWDED, "clean"}
    if unknown:
        raise RuntimeError(
            f"no such scenario: {', '.join(sorted(unknown))}; known: {', '.join(scenarios)}, {CROWDED}"
        )
    outcomes = []
    if set(chosen) - {CROWDED}:
        first, clean = chaos.run("clean", chaos.nothing, None)
        outcomes.append(first)
        for name in (name for name in scenarios if name in chosen):
            outcomes.append(chaos.run(name, scenarios[name], clean)[0])
    if CROWDED in chosen:
        outcomes.append(chaos.crowded())
    print_rows(outcomes)
    duplicates = creates(stack.emulator.request_log)
    passed = sum(o.passed for o in outcomes)
    print(
        f"\nchaos: scenarios={len(outcomes)} passed={passed} refused={sum(o.refused for o in outcomes)} "
        f"changed_partitions={sum(len(o.changed) for o in outcomes)} "
        f"unnamed_files={sum(len(o.unnamed) for o in outcomes)} duplicate_creates={duplicates}",
        flush=True,
    )
    for outcome in outcomes:
        for problem in outcome.problems + [f"{outcome.name}: changed {key}" for key in outcome.changed]:
            print(f"chaos: FAILED: {problem}", file=sys.stderr)
        for path in outcome.unnamed:
            print(f"chaos: FAILED: {outcome.name}: unnamed file {path}", file=sys.stderr)
    print(f"  make chaos took {time.monotonic() - started:.0f} s; logs in {supervisor.log_dir}")
    return 0 if passed == len(outcomes) and not duplicates else 1


if __name__ == "__main__":
    sys.exit(main())
