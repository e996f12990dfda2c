"""Tokens are renewed shortly before they expire, and a refused token is only dropped once."""

from __future__ import annotations

import threading

from airflow_provider_peerclick.hooks._tokens import SessionToken, TokenCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_token_is_reused_until_near_expiry_then_renewed():
    clock = Clock()
    cache = TokenCache(clock)
    issued: list[SessionToken] = []

    def exchange() -> SessionToken:
        issued.append(SessionToken(f"t{len(issued)}", clock.now + 86_400, 86_400))
        return issued[-1]

    first = cache.get("acct", exchange)
    clock.now += 86_400 - 301  # more than the 300 s renewal margin left
    assert cache.get("acct", exchange) is first
    clock.now += 2  # inside the margin: renew before PeerClick would refuse it
    assert cache.get("acct", exchange).value == "t1"
    assert len(issued) == 2


def test_short_lived_tokens_renew_within_a_tenth_of_their_life():
    token = SessionToken("t", expires_at=100.0, lifetime=10.0)
    assert token.fresh(98.9)
    assert not token.fresh(99.1)


def test_concurrent_callers_share_one_exchange():
    cache = TokenCache()
    calls = []
    gate = threading.Event()

    def slow_exchange() -> SessionToken:
        calls.append(1)
        gate.wait(1)
        return SessionToken("t", expires_at=10**10, lifetime=86_400)

    threads = [threading.Thread(target=cache.get, args=("acct", slow_exchange)) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_discard_ignores_a_token_another_thread_already_replaced():
    cache = TokenCache()
    old = cache.get("acct", lambda: SessionToken("old", 10**10, 86_400))
    cache.discard("acct", old)
    new = cache.get("acct", lambda: SessionToken("new", 10**10, 86_400))
    cache.discard("acct", old)
    assert cache.get("acct", lambda: SessionToken("newer", 10**10, 86_400)) is new
