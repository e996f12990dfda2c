"""A rate-limit store that stops answering for a while (a Redis restart, a failover, a folder briefly
unreadable) costs a wait within the connection's retry budget, never a request without its place."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from airflow_provider_peerclick.exceptions import PeerClickStoreUnavailableError

from ..conftest import RedisServer

OUTAGE_SECONDS = 3.0


@pytest.fixture
def restartable_redis(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def _outage(server: RedisServer) -> threading.Timer:
    """Stop Redis now and start it again, empty, ``OUTAGE_SECONDS`` later."""
    server.stop()
    timer = threading.Timer(OUTAGE_SECONDS, server.start)
    timer.start()
    return timer


@pytest.mark.slow
def test_requests_wait_out_a_redis_restart_and_keep_the_limits(make_hook, emulator, restartable_redis):
    hook = make_hook(rate_limit_store=restartable_redis.url, max_retry_seconds=30)
    hook.list_campaigns()  # the token and a first request, through the store
    stats = emulator.stats()
    timer = _outage(restartable_redis)
    started = time.monotonic()
    offers = [hook.list_offers() for _ in range(5)]
    waited = time.monotonic() - started
    timer.join()

    assert all(offers)
    assert waited >= OUTAGE_SECONDS
    after = emulator.stats()
    assert after["refused"] == 0
    assert after["requests"] - stats["requests"] == 5  # nothing sent twice, nothing lost
    assert restartable_redis.client.keys("peerclick:budget:*")  # the windows are kept again


@pytest.mark.slow
def test_a_trigger_waits_out_a_redis_restart_too(make_hook, emulator, restartable_redis):
    hook = make_hook(rate_limit_store=restartable_redis.url, max_retry_seconds=30)

    async def polls() -> list[list[dict[str, object]]]:
        try:
            first = await hook.alist_entities("campaign")
            timer = _outage(restartable_redis)
            rest = [await hook.alist_entities("offer") for _ in range(3)]
            await asyncio.to_thread(timer.join)
            return [first, *rest]
        finally:
            await hook.aclose()

    started = time.monotonic()
    assert all(asyncio.run(polls()))
    assert time.monotonic() - started >= OUTAGE_SECONDS
    assert emulator.stats()["refused"] == 0


def test_an_outage_longer_than_the_retry_budget_fails_naming_the_store_and_the_wait(
    make_hook, emulator, restartable_redis
):
    hook = make_hook(rate_limit_store=restartable_redis.url, max_retry_seconds=1.5)
    hook.list_campaigns()
    requests_before = emulator.stats()["requests"]
    restartable_redis.stop()
    try:
        with pytest.raises(PeerClickStoreUnavailableError) as error:
            hook.list_offers()
    finally:
        restartable_redis.start()
    message = str(error.value)
    assert "shared rate-limit store did not answer" in message
    assert "max_retry_seconds=1.5" in message
    assert "no request is sent without one" in message
    assert emulator.stats()["requests"] == requests_before  # nothing went out without its place


@pytest.mark.slow
def test_a_host_local_store_that_cannot_be_read_is_waited_for(make_hook, emulator, host_store, monkeypatch):
    monkeypatch.setenv("AIRFLOW__PEERCLICK__BUDGET", "host")
    hook = make_hook(max_retry_seconds=30)
    hook.list_campaigns()
    # A file where the folder was: unreadable as a store even for root (permissions would not stop it).
    aside = host_store.with_name("aside")
    host_store.rename(aside)
    host_store.write_text("not a folder")

    def restore() -> None:
        host_store.unlink()
        aside.rename(host_store)

    timer = threading.Timer(OUTAGE_SECONDS, restore)
    timer.start()
    started = time.monotonic()
    try:
        assert hook.list_offers()
    finally:
        timer.join()
    assert time.monotonic() - started >= OUTAGE_SECONDS
    assert emulator.stats()["refused"] == 0
