"""The shared rate-limit stores (Redis, and the host-local folder): one budget for every process on an
account, whatever each believes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from airflow_provider_peerclick.hooks._rate_store import StoreThrottle, store_throttle
from airflow_provider_peerclick.hooks._throttle import Unsent

pytestmark = pytest.mark.slow


@pytest.fixture(params=["redis", "host-local"])
def make_throttle(request, tmp_path) -> Callable[..., StoreThrottle]:
    """``make(key, rate, lease=...)``: a throttle on a fresh window in Redis or in a host-local folder,
    each call a new one (another process's, as far as the window knows)."""
    if request.param == "redis":
        url = request.getfixturevalue("rate_store")
    else:
        url = (tmp_path / "host-budget").as_uri()
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
