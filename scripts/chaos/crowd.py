"""
The crowded triggerer: ``scenario.CROWD`` deferred PeerClick sensors in the triggerer, their polls waiting
for places in account A's budget, and beside them Airflow's own ``DateTimeSensorAsync``, which must fire
within ``ON_TIME_SECONDS`` of its time. A trigger that held one of the triggerer's threads (or its event
loop) while it waited would delay it (issue: 147 s late with 150 threaded triggers).

While the standard sensor waits, A's campaign answers are slowed, so the crowd's polls come due faster than
A's budget lets them out: at any moment some of them are waiting for a place.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from scripts.scale import __main__ as scale
from scripts.scale import deployment, scenario
from scripts.scale.metadata import wait_until

CLOCK_WAIT_SECONDS = 30.0  # the standard sensor's wait, from its run's trigger
ON_TIME_SECONDS = 5.0
SLOW_ANSWER_SECONDS = 2.0  # while the standard sensor waits: A's budget lets out ~1 poll per 3 s
DEFER_TIMEOUT = 600.0
# What Airflow's triggerer logs when its event loop was held longer than its threshold (0.2 s by default).
BLOCKED = r"Triggerer's async thread was blocked for ([0-9.]+) seconds"


@dataclasses.dataclass(frozen=True)
class Crowd:
    """What the scenario saw."""

    deferred: int  # crowd sensors deferred when the standard sensor fired
    deferred_after_s: float  # from the crowd's trigger to the last of them deferred
    late_s: float  # the standard sensor's trigger fired this long after its time
    clock_run: str  # the standard sensor's run state
    polls: int  # the crowd's polls PeerClick answered while the standard sensor waited
    blocked: list[float]  # seconds of each "async thread was blocked" warning of the triggerer

    @property
    def problems(self) -> list[str]:
        found = []
        if self.deferred != scenario.CROWD:
            found.append(f"{self.deferred} of {scenario.CROWD} crowd sensors still deferred")
        if self.late_s > ON_TIME_SECONDS:
            found.append(f"the standard sensor fired {self.late_s:.1f} s after its time")
        if self.clock_run != "success":
            found.append(f"the standard sensor's run: {self.clock_run}")
        return found

    def describe(self) -> str:
        return (
            f"{self.deferred} PeerClick sensors deferred ({self.deferred_after_s:.0f} s to defer); "
            f"DateTimeSensorAsync fired {self.late_s:.1f} s after its time; "
            f"{self.polls} crowd polls answered in its {CLOCK_WAIT_SECONDS:.0f} s (answers slowed "
            f"{SLOW_ANSWER_SECONDS:.0f} s); triggerer loop held >0.2 s {len(self.blocked)} time(s), "
            f"longest {max(self.blocked, default=0):.2f} s"
        )


def run_crowd(stack: scale.Stack, log_dir: Path, check: Callable[[], None]) -> Crowd:
    """Trigger the crowd, wait until every sensor of it is deferred, then time the standard sensor."""
    metadata = stack.metadata
    dag_ids = (scenario.CROWD_DAG_ID, scenario.CROWD_CLOCK_DAG_ID)
    wait_until(
        lambda: all(metadata.dag_parsed(dag_id) for dag_id in dag_ids),
        timeout=120,
        what="the crowd's DAGs parsed",
        check=check,
    )
    triggerer_log = log_dir / "triggerer.log"
    log_start = triggerer_log.stat().st_size
    calls = {f"unpause-{dag_id}": [deployment.AIRFLOW, "dags", "unpause", dag_id] for dag_id in dag_ids}
    deployment.run_cli_parallel(calls, stack.env, log_dir)
    started = time.monotonic()
    trigger = [deployment.AIRFLOW, "dags", "trigger", scenario.CROWD_DAG_ID]
    deployment.run_cli(trigger, stack.env, log_dir, "trigger-crowd")

    def crowd_deferred() -> bool:
        states = _states(stack, scenario.CROWD_DAG_ID)
        if set(states) & {"failed", "upstream_failed", "up_for_retry"}:
            raise RuntimeError(f"crowd sensors failed while deferring: {states}")
        return states.get("deferred", 0) == scenario.CROWD

    wait_until(crowd_deferred, timeout=DEFER_TIMEOUT, what="the crowd deferred", interval=2.0, check=check)
    deferred_after = time.monotonic() - started

    stack.emulator.control(
        "POST", "faults", {"latency": SLOW_ANSWER_SECONDS, "path": "/campaign", "rate": 1.0}
    )
    try:
        at = time.time() + CLOCK_WAIT_SECONDS
        conf = json.dumps({"at": datetime.fromtimestamp(at, UTC).isoformat()})
        clock = [deployment.AIRFLOW, "dags", "trigger", scenario.CROWD_CLOCK_DAG_ID, "--conf", conf]
        deployment.run_cli(clock, stack.env, log_dir, "trigger-crowd-clock")
        wait_until(
            lambda: "deferred" in _states(stack, scenario.CROWD_CLOCK_DAG_ID),
            timeout=CLOCK_WAIT_SECONDS,
            what="the standard sensor deferred before its time",
            interval=0.2,
            check=check,
        )
        wait_until(
            lambda: "deferred" not in _states(stack, scenario.CROWD_CLOCK_DAG_ID),
            timeout=CLOCK_WAIT_SECONDS + 120,
            what="the standard sensor's trigger firing",
            interval=0.2,
            check=check,
        )
        fired = time.time()
        deferred = _states(stack, scenario.CROWD_DAG_ID).get("deferred", 0)
    finally:
        stack.emulator.control("DELETE", "faults")
    wait_until(
        lambda: _run_state(stack, scenario.CROWD_CLOCK_DAG_ID) in ("success", "failed"),
        timeout=120,
        what="the standard sensor's run",
        interval=1.0,
        check=check,
    )
    with triggerer_log.open("rb") as log:
        log.seek(log_start)
        blocked = [float(held) for held in re.findall(BLOCKED, log.read().decode(errors="replace"))]
    return Crowd(
        deferred=deferred,
        deferred_after_s=deferred_after,
        late_s=fired - at,
        clock_run=_run_state(stack, scenario.CROWD_CLOCK_DAG_ID),
        polls=_answered(stack, at - CLOCK_WAIT_SECONDS, fired),
        blocked=blocked,
    )


def _states(stack: scale.Stack, dag_id: str) -> dict[str, int]:
    rows = stack.metadata.rows(
        "SELECT coalesce(state, 'none'), count(*) FROM task_instance WHERE dag_id = %s GROUP BY 1", dag_id
    )
    return {str(state): int(count) for state, count in rows}


def _run_state(stack: scale.Stack, dag_id: str) -> str:
    states = stack.metadata.dag_run_states(dag_id)
    return states[-1] if states else "none"


def _answered(stack: scale.Stack, start: float, end: float) -> int:
    """Campaign requests of account A that PeerClick answered between ``start`` and ``end``."""
    access_id = stack.emulator.keys[scenario.SHARED_ACCOUNT][0]
    lines = stack.emulator.request_log.read_text().splitlines()
    return sum(
        1
        for record in map(json.loads, lines)
        if record["account"] == access_id
        and record["path"].startswith("/campaign")
        and start <= record["time"] <= end
    )
