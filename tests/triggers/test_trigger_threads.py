"""A triggerer runs every provider's triggers on one event loop and lends them one thread pool. PeerClick's
triggers wait for their place in the budget on the loop, whichever budget they spend, and never take a
thread of that pool; together they still keep PeerClick's limits and share one token."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from airflow_provider_peerclick.triggers.entities import PeerClickEntityTrigger
from airflow_provider_peerclick.triggers.report import PeerClickReportTrigger

TRIGGERS = 6


class CountingPool(ThreadPoolExecutor):
    """The loop's default executor, as the triggerer's shared pool: notes what was run on it."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.ran: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.ran.append(getattr(fn, "__qualname__", repr(fn)))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture(params=["process", "host", "redis"])
def budget(request, emulator, monkeypatch) -> str:
    """The connection with each kind of budget: per process, host-local, or a Redis store."""
    connection = json.loads(emulator.conn_uri_env()["AIRFLOW_CONN_PEERCLICK_DEFAULT"])
    if request.param == "redis":
        extra = connection.get("extra") or {}
        extra = json.loads(extra) if isinstance(extra, str) else extra
        connection["extra"] = {**extra, "rate_limit_store": request.getfixturevalue("rate_store")}
    else:
        monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", request.param)
    monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", json.dumps(connection))
    return request.param


def day(index: int) -> dict[str, str]:
    return {
        "start": f"2026-11-{10 + index:02d}T00:00:00+00:00",
        "end": f"2026-11-{11 + index:02d}T00:00:00+00:00",
        "group_by": "day",
    }


def polling(**specific: Any) -> dict[str, Any]:
    return {
        "peerclick_conn_id": "peerclick_default",
        "pool_slots": 1,
        "poll_interval": 0.01,
        "end_time": time.time() + 120,
        **specific,
    }


def run_on_one_loop(triggers: list[Any]) -> tuple[list[dict[str, Any]], CountingPool]:
    pool = CountingPool()

    async def first_event(trigger: Any) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    async def main() -> list[dict[str, Any]]:
        asyncio.get_running_loop().set_default_executor(pool)
        return list(await asyncio.gather(*(first_event(trigger) for trigger in triggers)))

    try:
        return asyncio.run(main()), pool
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_report_triggers_queue_for_the_report_limit_on_the_loop(budget, emulator):
    # "changed" from a state no report has: each trigger is done at its first poll, so the six polls
    # queue for the 1/s report budget at once.
    triggers = [
        PeerClickReportTrigger(query=day(i), until="changed", **polling(previous={"unseen": i}))
        for i in range(TRIGGERS)
    ]
    started = time.monotonic()
    events, pool = run_on_one_loop(triggers)
    elapsed = time.monotonic() - started

    assert [event["status"] for event in events] == ["done"] * TRIGGERS, events
    assert [event["value"]["start"] for event in events] == [day(i)["start"] for i in range(TRIGGERS)]
    assert pool.ran == []  # no thread of the shared pool, for the budget, the store, the token or HTTP
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["buckets"]["reports"]["requests"] == TRIGGERS
    assert len(emulator.issued_tokens()) == 1  # one exchange for the loop, though six asked at once
    assert elapsed >= TRIGGERS - 1  # 1 report/s: they did queue


@pytest.mark.slow
def test_entity_triggers_share_the_account_budget_on_the_loop(budget, emulator):
    triggers = [PeerClickEntityTrigger(kind="campaign", name=f"absent-{i}", **polling()) for i in range(3)]
    triggers += [PeerClickEntityTrigger(kind="offer", entity_id=1, **polling())]
    for trigger in triggers[:3]:
        trigger.end_time = time.time() + 1.5  # polled until the deadline: many requests in the window

    events, pool = run_on_one_loop(triggers)

    assert [event["status"] for event in events] == ["timeout"] * 3 + ["done"]
    assert events[-1]["value"]["id"] == 1
    assert pool.ran == []
    assert emulator.stats()["refused"] == 0
