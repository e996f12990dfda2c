"""The hook keeps an account under PeerClick's limits, measured by the emulator."""

from __future__ import annotations

import threading
import time

import pytest


@pytest.mark.slow
def test_200_calls_from_8_threads_stay_within_3_per_second(emulator, make_hook):
    hook = make_hook(requests_per_second=3)
    calls, threads, errors = 200, 8, []

    def worker(count: int) -> None:
        try:
            for _ in range(count):
                hook.list_campaigns()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(calls // threads,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    stats = emulator.stats()
    print(
        f"\n200 calls from 8 threads: {elapsed:.1f} s, {(calls + 1) / elapsed:.2f} requests/s, stats {stats}"
    )
    assert errors == []
    assert stats["requests"] == calls + 1  # and the one token exchange
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["all"] <= 3


@pytest.mark.slow
def test_report_requests_stay_at_one_per_second_even_with_a_higher_account_budget(emulator, make_hook):
    hook = make_hook(requests_per_second=3)
    threads = [
        threading.Thread(
            target=hook.get_report_totals,
            kwargs={"start": f"2026-11-2{d}", "end": "2026-11-28", "group_by": "offer"},
        )
        for d in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = emulator.stats()
    assert stats["buckets"]["reports"]["requests"] == 4
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["reports"] == 1


@pytest.mark.slow
def test_default_budget_is_one_request_per_second(emulator, make_hook):
    hook = make_hook()
    threads = [threading.Thread(target=hook.list_offers) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["peak_per_second"]["all"] == 1
