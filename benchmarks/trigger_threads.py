"""The triggerer's shared thread pool, with 50 PeerClick report triggers polling in its event loop.

A triggerer runs every deferred task's trigger on one event loop and lends them all one default thread
pool (``asyncio.to_thread``), which other providers' triggers use for their blocking calls. This starts
the emulator (PeerClick's real limits: 1 report/s) and, on one loop whose default pool is Python's own
(``min(32, cores + 4)`` threads), runs 50 report triggers that keep polling, as sensors waiting for
settled data do, while a probe, standing in for another provider's trigger, calls ``asyncio.to_thread``
on a no-op every quarter second and records how long each call took. Side by side, in one run:

- **now**: the triggers as shipped (httpx, budget places awaited on the loop);
- **threaded**: the same triggers polling through the blocking hook in ``asyncio.to_thread``, as they did
  before, for comparison.

Prints the probe's worst and median delay for each and the floor (0.5 s), and the emulator's refused
count, which must be 0 in both: the report limit holds however the triggers wait.

    .venv/bin/python -m benchmarks.trigger_threads [--triggers 50] [--seconds 20] [--budget host]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from peerclick_emulator.process import EmulatorProcess

FLOOR_SECONDS = 0.5
PROBE_EVERY = 0.25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triggers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--budget", choices=["host", "process"], default="host")
    options = parser.parse_args()

    os.environ["AIRFLOW__PEERCLICK__BUDGET"] = options.budget
    os.environ["AIRFLOW__PEERCLICK__LOCAL_BUDGET_DIR"] = tempfile.mkdtemp(prefix="peerclick-bench-")
    with EmulatorProcess() as emulator:
        os.environ.update(emulator.connection_env())
        results = {}
        for variant in ("now", "threaded"):
            emulator.control("POST", "reset")
            delays = run(variant, options.triggers, options.seconds)
            stats = emulator.stats()
            results[variant] = (delays, stats["refused"], stats["buckets"]["reports"]["requests"])
    for variant, (delays, refused, reports) in results.items():
        print(
            f"{variant:>8}: to_thread delay max {max(delays):.3f} s, "
            f"median {statistics.median(delays):.3f} s over {len(delays)} calls; "
            f"{reports} report requests, refused {refused}"
        )
    worst_now, worst_before = max(results["now"][0]), max(results["threaded"][0])
    refused = sum(refused for _, refused, _ in results.values())
    print(
        f"trigger_threads: triggers={options.triggers} max_delay_s={worst_now:.3f} "
        f"floor_s={FLOOR_SECONDS} threaded_max_delay_s={worst_before:.3f} "
        f"ratio_to_floor={worst_now / FLOOR_SECONDS:.2f} refused={refused}"
    )
    return 0 if worst_now < FLOOR_SECONDS and refused == 0 else 1


def run(variant: str, triggers: int, seconds: float) -> list[float]:
    """The probe's delays while ``triggers`` triggers of ``variant`` poll for ``seconds``."""
    from airflow_provider_peerclick.hooks._tokens import tokens

    tokens.clear()
    loop = asyncio.new_event_loop()
    pool = ThreadPoolExecutor(max_workers=min(32, (os.cpu_count() or 1) + 4))  # Python's default size
    loop.set_default_executor(pool)
    try:
        return loop.run_until_complete(_measure(variant, triggers, seconds))
    finally:
        # Threaded polls still queued would each wait their turn at 1 report/s: drop them, and let those
        # already running finish while the emulator still answers.
        pool.shutdown(wait=True, cancel_futures=True)
        loop.close()


async def _measure(variant: str, triggers: int, seconds: float) -> list[float]:
    trigger_class = _threaded_trigger() if variant == "threaded" else _endless_trigger()
    end_time = time.time() + seconds + 60
    running = [
        asyncio.create_task(_drain(trigger_class(**_arguments(index, end_time)))) for index in range(triggers)
    ]
    delays: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        call = asyncio.ensure_future(asyncio.to_thread(lambda: None))
        try:
            await asyncio.wait_for(asyncio.shield(call), timeout=max(0.0, deadline - started))
        except TimeoutError:
            call.cancel()  # still waiting when the run ends: its delay so far counts
        delays.append(time.monotonic() - started)
        await asyncio.sleep(PROBE_EVERY)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    return delays


async def _drain(trigger: Any) -> None:
    async for event in trigger.run():
        raise RuntimeError(f"a trigger ended: {event.payload}")


def _arguments(index: int, end_time: float) -> dict[str, Any]:
    day = 1 + index % 28
    return {
        "query": {
            "start": f"2026-10-{day:02d}T00:00:00+00:00",
            "end": f"2026-10-{day + 1:02d}T00:00:00+00:00",
            "group_by": "campaign",
        },
        "until": "stable",
        "peerclick_conn_id": "peerclick_default",
        "pool_slots": 1,
        "poll_interval": 1.0,
        "end_time": end_time,
    }


def _endless_trigger() -> type:
    """The shipped trigger, except that no poll ends it: every trigger keeps queueing for the budget."""
    from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger

    class Endless(PeerClickReportTrigger):
        async def observe(self, hook: Any, previous: Any) -> Any:
            return dataclasses.replace(await super().observe(hook, previous), done=False)

    return Endless


def _threaded_trigger() -> type:
    """The trigger as it polled before: the blocking hook, in the loop's default thread pool."""
    from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger
    from airflow_provider_peerclick.utils.observations import observe_report

    class Threaded(PeerClickReportTrigger):
        async def observe(self, hook: Any, previous: Any) -> Any:
            seen = await asyncio.to_thread(observe_report, hook, self.query, previous, self.until)
            return dataclasses.replace(seen, done=False)

    return Threaded


if __name__ == "__main__":
    sys.exit(main())
