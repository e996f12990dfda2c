"""With a rate-limit store, processes holding one key share one session token, kept there encrypted."""

from __future__ import annotations

import pytest

from airflow_provider_peerclick.exceptions import PeerClickAuthError
from airflow_provider_peerclick.hooks._tokens import tokens


def test_a_second_process_takes_the_token_from_the_store(make_hook, emulator, rate_store, redis_server):
    first = make_hook(rate_limit_store=rate_store)
    first.list_campaigns()
    token = first.get_token()
    tokens.clear()  # what a new task process starts with

    second = make_hook(rate_limit_store=rate_store)
    second.list_offers()
    assert second.get_token() == token
    assert emulator.stats()["tokens_issued"] == 1
    # The store never holds the token in the clear, nor the key.
    stored = [redis_server.client.get(key) for key in redis_server.client.keys("peerclick:token:*")]
    assert len(stored) == 1
    assert token.encode() not in stored[0]
    assert emulator.access_key.encode() not in stored[0]


def test_a_wrong_key_with_the_same_key_id_never_gets_the_shared_token(make_hook, emulator, rate_store):
    make_hook(rate_limit_store=rate_store).list_campaigns()
    tokens.clear()
    with pytest.raises(PeerClickAuthError, match="HTTP 401"):
        make_hook(password="not-the-key", rate_limit_store=rate_store).list_campaigns()


def test_a_refused_shared_token_is_replaced_for_everyone(make_hook, emulator, rate_store):
    make_hook(rate_limit_store=rate_store).list_campaigns()
    emulator.expire_tokens()
    tokens.clear()
    hook = make_hook(rate_limit_store=rate_store)
    assert len(hook.list_campaigns()) > 0  # the stale shared token got a 401, then a new exchange
    tokens.clear()
    make_hook(rate_limit_store=rate_store).list_offers()
    assert emulator.stats()["tokens_issued"] == 2


def test_without_a_store_the_token_cache_tells_keys_apart(make_hook, emulator):
    # Same key ID, wrong key: the per-process cache must not hand over the right key's token.
    make_hook().list_campaigns()
    with pytest.raises(PeerClickAuthError, match="HTTP 401"):
        make_hook(password="not-the-key").list_campaigns()
