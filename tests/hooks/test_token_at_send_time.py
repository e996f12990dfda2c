"""A request takes its token when its turn comes, not before it queues for the throttle."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.slow


def test_tokens_that_expire_while_requests_queue_are_never_sent(make_hook, emulator):
    # 24 requests at 3/s queue for about 8 s, four token lifetimes: a token taken before the wait
    # would be dead by the time most of them leave.
    hook = make_hook(token_lifetime=2, requests_per_second=3)
    errors: list[BaseException] = []

    def calls() -> None:
        try:
            for number in range(3):
                hook.get_campaign(number + 1)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    stats = emulator.stats()
    assert stats["refused"] == 0
    assert stats["tokens_issued"] >= 3  # renewed as the queue outlived each token
    # Every request the emulator saw is one of the 24 calls or an exchange: no replay after a 401.
    assert stats["requests"] == 24 + stats["tokens_issued"]
