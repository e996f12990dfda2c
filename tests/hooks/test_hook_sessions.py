"""Tokens against the live emulator: exchanged once, shared, renewed on 401, refused keys explained."""

from __future__ import annotations

import threading

import pytest

from airflow_provider_peerclick.exceptions import PeerClickAuthError


@pytest.mark.slow
def test_token_is_exchanged_once_and_reused_by_every_hook(emulator, make_hook):
    first, second = make_hook(), make_hook()
    first.list_campaigns()
    second.list_offers()
    first.list_offers()
    stats = emulator.stats()
    assert stats["tokens_issued"] == 1
    assert stats["requests"] == 4  # one exchange, three calls


def test_threads_needing_a_token_at_once_share_one_exchange(emulator, make_hook):
    hook = make_hook(requests_per_second=3)
    threads = [threading.Thread(target=hook.get_token) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert emulator.stats()["tokens_issued"] == 1


@pytest.mark.slow
def test_expired_token_is_renewed_once_and_the_call_replayed(emulator, make_hook):
    hook = make_hook()
    before = hook.get_token()
    emulator.expire_tokens()
    assert isinstance(hook.list_campaigns(), list)
    assert hook.get_token() != before
    assert emulator.stats()["tokens_issued"] == 2


@pytest.mark.slow
def test_a_replacement_token_refused_too_is_replaced_again(emulator, make_hook):
    # As when PeerClick drops every session at once and the replay took another process's replacement,
    # minted before the drop, from the shared store.
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/campaign", status=401, count=2)
    assert isinstance(hook.list_campaigns(), list)
    assert emulator.stats()["tokens_issued"] == 3


@pytest.mark.slow
def test_token_refused_even_when_fresh_fails_clearly(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/campaign", status=401, count=3)
    with pytest.raises(PeerClickAuthError, match=r"HTTP 401 to GET /campaign"):
        hook.list_campaigns()
    assert emulator.stats()["tokens_issued"] == 3


def test_wrong_access_key_is_a_clear_auth_error_without_the_key(emulator, make_hook):
    hook = make_hook(password="not-the-right-key")
    with pytest.raises(PeerClickAuthError) as error:
        hook.list_campaigns()
    message = str(error.value)
    assert "HTTP 401 to POST /auth/access/session" in message
    assert "connection 'peerclick_default'" in message
    assert "not-the-right-key" not in message
    ok, text = hook.test_connection()
    assert not ok
    assert "401" in text


def test_test_connection_reports_success(emulator, make_hook):
    ok, text = make_hook().test_connection()
    assert ok, text
    assert emulator.base_url in text


def test_api_version_v1_1_is_served_too(emulator, make_hook):
    hook = make_hook(host=emulator.base_url.replace("/v1", "/v1_1"))
    assert hook.settings.base_url.endswith("/v1_1")
    assert isinstance(hook.list_offers(), list)
