"""The shared rate-limit stores (Redis, and the host-local folder): one budget for every process on an
account, whatever each believes."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable

import pytest

from airflow_provider_peerclick.hooks import _rate_store
from airflow_provider_peerclick.hooks._rate_store import (
    LocalWindow,
    RedisWindow,
    StoreThrottle,
    store_throttle,
)
from airflow_provider_peerclick.hooks._throttle import Unsent

pytestmark = pytest.mark.slow


@pytest.fixture(params=["redis", "host-local"])
def store_url(request, tmp_path) -> str:
    """An empty Redis, or a fresh host-local folder."""
    if request.param == "redis":
        return str(request.getfixturevalue("rate_store"))
    return (tmp_path / "host-budget").as_uri()


@pytest.fixture
def make_throttle(store_url) -> Callable[..., StoreThrottle]:
    """``make(key, rate, lease=...)``: a throttle on a fresh window in Redis or in a host-local folder,
    each call a new one (another process's, as far as the window knows)."""
    url = store_url
    made = 0

    def make(key: str, rate: float, *, lease: float = 30.0) -> StoreThrottle:
        nonlocal made
        made += 1  # a distinct lease makes a distinct throttle object, as in another process
        return store_throttle(url, key, rate, lease=lease + made * 1e-6)

    return make


def test_processes_sharing_the_store_stay_within_the_report_limit(run_processes, rate_store, emulator):
    # Three deployments' report tasks at once: each alone would be within 1 report/s, together 3/s.
    done = run_processes(3, 3, rate_limit_store=rate_store)
    assert [process.returncode for process in done] == [0, 0, 0], [p.stderr[-2000:] for p in done]
    stats = emulator.stats()
    # Three reports each, and one token exchange for all: the processes share it through the store.
    assert stats["tokens_issued"] == 1
    assert stats["requests"] == 3 * 3 + 1
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["reports"] == 1
    assert stats["peak_per_second"]["all"] <= 3


def test_without_a_shared_budget_the_same_processes_are_refused(run_processes, emulator):
    # The control: what a shared budget prevents. Per-process throttles know nothing of each other.
    done = run_processes(3, 2, budget="process")
    assert emulator.stats()["refused"] > 0 or emulator.stats()["peak_per_second"]["reports"] > 1
    assert all(process.returncode == 0 for process in done)  # retries with Retry-After still finish


def test_processes_of_one_host_share_the_host_local_budget_and_one_token(run_processes, emulator):
    # The same processes with no store at all: Airflow's default executor runs every task on this host,
    # so the budget is kept in a folder that all of them share.
    done = run_processes(3, 3)
    assert [process.returncode for process in done] == [0, 0, 0], [p.stderr[-2000:] for p in done]
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["tokens_issued"] == 1
    assert stats["requests"] == 3 * 3 + 1
    assert stats["peak_per_second"]["reports"] == 1
    assert stats["peak_per_second"]["all"] <= 3


def test_processes_without_a_shared_budget_still_share_one_token(run_processes, emulator):
    # Per-process budgets (tasks on several hosts, no Redis) still exchange the key once per host.
    done = run_processes(2, 1, budget="process")
    assert [process.returncode for process in done] == [0, 0], [p.stderr[-2000:] for p in done]
    assert emulator.stats()["tokens_issued"] == 1


def test_a_fractional_budget_holds_across_two_processes(run_processes, rate_store, emulator):
    # The README's old recipe (0.5 report/s in each of two deployments) went over 1/s: shared, it holds.
    started = time.monotonic()
    done = run_processes(2, 2, rate_limit_store=rate_store, account_report_requests_per_second=0.5)
    elapsed = time.monotonic() - started
    assert [process.returncode for process in done] == [0, 0], [p.stderr[-2000:] for p in done]
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["buckets"]["reports"]["requests"] == 4
    # Four report requests at one per two seconds: the last cannot start before six seconds.
    assert elapsed >= 8 + 6


def test_store_window_counts_a_place_until_its_answer(make_throttle):
    throttle = make_throttle("test:window", 2.0)
    starts: list[float] = []

    def request() -> None:
        with throttle.slot():
            starts.append(time.monotonic())
            time.sleep(0.2)  # a slow answer: the place stays taken meanwhile

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    starts.sort()
    assert len(starts) == 6
    # Two places per second, each held 0.2 s by its answer: the third start waits for the first answer
    # plus one period.
    gaps = [later - earlier for earlier, later in zip(starts, starts[2:], strict=False)]
    assert min(gaps) >= 1.2 - 0.05, gaps


def test_a_place_whose_holder_died_frees_after_its_lease(make_throttle):
    dead = make_throttle("test:lease", 1.0, lease=1.0)
    holder = dead.slot()
    holder.__enter__()  # taken and never given back: the process died mid-request
    started = time.monotonic()
    with make_throttle("test:lease", 1.0, lease=1.0).slot():
        waited = time.monotonic() - started
    # Counted as answered when the lease ended (1 s), then held one more period (1 s).
    assert 1.8 <= waited <= 4.0, waited


def test_a_place_given_back_unsent_leaves_the_shared_window(make_throttle):
    throttle = make_throttle("test:unsent", 1.0)
    with pytest.raises(Unsent), throttle.slot():
        raise Unsent
    started = time.monotonic()
    with throttle.slot():
        waited = time.monotonic() - started
    with throttle.slot():
        counted = time.monotonic() - started
    assert waited < 0.2, waited
    assert counted >= 0.95, counted


def window_of(url: str, key: str) -> RedisWindow | LocalWindow:
    return LocalWindow(url, key) if url.startswith("file:") else RedisWindow(url, key)


# One place per 0.2 s, its lease long: what a window of 1 report/s does, five times faster.
LIMIT, PERIOD, LEASE = 1, 0.2, 30.0


def test_places_go_to_waiters_in_the_order_they_first_asked(store_url):
    window = window_of(store_url, "test:line")
    assert window.take(LIMIT, PERIOD, LEASE, "holder") == 0
    assert window.take(LIMIT, PERIOD, LEASE, "waiter") != 0  # in line
    window.give_back(PERIOD, "holder")
    time.sleep(PERIOD + 0.05)
    # The holder's process asks again the moment its period is over, before the waiter wakes: the place
    # is the waiter's all the same, and the newcomer is told to look again shortly.
    assert window.take(LIMIT, PERIOD, LEASE, "again") == _rate_store.IN_LINE_SECONDS
    assert window.take(LIMIT, PERIOD, LEASE, "waiter") == 0
    window.give_back(PERIOD, "waiter")
    time.sleep(PERIOD + 0.05)
    assert window.take(LIMIT, PERIOD, LEASE, "again") == 0  # its turn now


def test_a_waiter_that_stops_asking_leaves_the_line(store_url, monkeypatch):
    monkeypatch.setattr(_rate_store, "WAITER_PATIENCE", 0.3)
    window = window_of(store_url, "test:gone")
    assert window.take(LIMIT, PERIOD, LEASE, "holder") == 0
    assert window.take(LIMIT, PERIOD, LEASE, "gone") != 0  # then its process died
    window.give_back(PERIOD, "holder")
    time.sleep(0.35)
    assert window.take(LIMIT, PERIOD, LEASE, "next") == 0


def test_a_script_asking_in_a_loop_does_not_starve_a_slower_waiter(store_url):
    # As a second deployment's loop beside a trigger on a busy event loop: the loop asks again as soon as
    # its request is answered; the other sleeps 50 ms longer than told each time. Without the line, the
    # loop won all but one of the places (16 to 1).
    window = window_of(store_url, "test:fair")
    won = {"loop": 0, "slow": 0}
    stop = time.monotonic() + 3.0

    def ask(name: str, late: float) -> None:
        while time.monotonic() < stop:
            member = f"{name}-{time.monotonic_ns()}"
            while (wait := window.take(LIMIT, PERIOD, LEASE, member)) != 0:
                time.sleep(max(wait, 0.005) + late)
            won[name] += 1
            window.give_back(PERIOD, member)

    threads = [
        threading.Thread(target=ask, args=(name, late)) for name, late in (("loop", 0.0), ("slow", 0.05))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # 3 s at one place per 0.2 s: about 15 places, taken in turn.
    assert won["slow"] >= won["loop"] - 2, won


class Stopped(Exception):
    """What Airflow's execution timeout does to a task: an exception raised from a signal handler."""


def test_a_task_stopped_while_in_line_leaves_it_at_once(store_url):
    # One place per second, held: the throttle's caller waits in line, and is stopped 0.3 s later.
    window = window_of(store_url, "test:stopped")
    assert window.take(1, 1.0, LEASE, "holder") == 0
    throttle = StoreThrottle(window, 1.0, lease=LEASE, store=store_url)

    def stop(signum, frame):
        raise Stopped

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(Stopped), throttle.slot():
            pytest.fail("no place was free")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    window.give_back(1.0, "holder")
    time.sleep(1.05)
    # Nobody is ahead any more: a newcomer takes the place rather than waiting for the stopped one's
    # line entry to lapse (WAITER_PATIENCE).
    assert window.take(1, 1.0, LEASE, "newcomer") == 0


def test_a_trigger_cancelled_while_in_line_leaves_it_at_once(store_url):
    window = window_of(store_url, "test:cancelled")
    assert window.take(1, 1.0, LEASE, "holder") == 0
    throttle = StoreThrottle(window, 1.0, lease=LEASE, store=store_url)

    async def wait_for_a_place() -> None:
        async with throttle.aslot():
            pytest.fail("no place was free")

    async def cancel_in_line() -> None:
        waiting = asyncio.create_task(wait_for_a_place())
        await asyncio.sleep(0.3)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    asyncio.run(cancel_in_line())
    window.give_back(1.0, "holder")
    time.sleep(1.05)
    assert window.take(1, 1.0, LEASE, "newcomer") == 0
