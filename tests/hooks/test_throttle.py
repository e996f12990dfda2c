"""The throttle's guarantee, checked on what actually happened rather than on timings."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from airflow_provider_peerclick.hooks._throttle import Throttle, Unsent, process_started, shared_throttle


def run_requests(throttle: Throttle, threads: int, per_thread: int, work: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            with throttle.slot():
                started = time.monotonic()
                time.sleep(work)
                ended = time.monotonic()
            with lock:
                spans.append((started, ended))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return spans


@pytest.mark.slow
@pytest.mark.parametrize(("rate", "work"), [(10.0, 0.0), (5.0, 0.05), (0.5 * 10, 0.3)])
def test_no_request_starts_while_limit_requests_were_answered_within_a_period(rate, work):
    throttle = Throttle(rate)
    spans = run_requests(throttle, threads=6, per_thread=4, work=work)
    assert len(spans) == 24
    for started, _ in spans:
        # Requests a server could still count in its window when this one arrived.
        overlapping = [s for s, e in spans if s < started and e > started - throttle.period]
        assert len(overlapping) < throttle.limit


def test_fractional_rates_space_single_requests():
    throttle = Throttle(0.5)
    assert (throttle.limit, throttle.period) == (1, 2.0)


@pytest.mark.parametrize("rate", [0, -1, float("inf"), float("nan"), "3"])
def test_rate_must_be_positive_and_finite(rate):
    with pytest.raises(ValueError, match="positive number"):
        Throttle(rate)


def test_same_budget_is_shared_across_hooks_of_a_process():
    assert shared_throttle(("acct", "all"), 3) is shared_throttle(("acct", "all"), 3.0)
    assert shared_throttle(("acct", "all"), 3) is not shared_throttle(("acct", "all"), 1)
    assert shared_throttle(("acct", "all"), 3) is not shared_throttle(("other", "all"), 3)


def test_a_throttle_full_since_now_waits_one_period_before_its_first_request():
    # The slot's previous holder (another process) may have sent its last request just now.
    started = time.monotonic()
    real = Throttle(4.0, full_since=started)
    with real.slot():
        waited = time.monotonic() - started
    assert 0.9 <= waited <= 2.0, waited


def test_a_process_throttle_counts_its_window_full_from_the_process_start():
    # The monotonic clock is the host's: the child's start as it reads it, against the parent's clock.
    code = (
        "import time\n"
        "from airflow_provider_peerclick.hooks._throttle import process_started, shared_throttle\n"
        "started = process_started()\n"
        "with shared_throttle(('acct', 'reports'), 1.0).slot(): print(started, time.monotonic())\n"
    )
    before = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after = time.monotonic()
    started, first_sent = map(float, done.stdout.split())
    assert before <= started <= after, (before, started, after)  # never earlier than the true start
    # The first request waits for a full period after the start, and not much longer.
    assert started + 1.0 <= first_sent <= max(started + 1.0, before + 5) + 0.3, (started, first_sent)
    assert time.monotonic() - process_started() > 1.0  # this test process started long ago: no wait
    throttle = Throttle(1.0, full_since=process_started())
    clock = time.monotonic()
    with throttle.slot():
        assert time.monotonic() - clock < 0.2


def test_a_place_given_back_unsent_does_not_count():
    # A request whose token lapsed while it queued steps out without sending: the next one goes at once.
    throttle = Throttle(1.0)
    with pytest.raises(Unsent), throttle.slot():
        raise Unsent
    started = time.monotonic()
    with throttle.slot():
        waited = time.monotonic() - started
    with pytest.raises(TimeoutError), throttle.slot():  # a failed request was sent: it counts
        raise TimeoutError
    with throttle.slot():
        counted = time.monotonic() - started
    assert waited < 0.2, waited
    assert counted >= 0.95, counted
