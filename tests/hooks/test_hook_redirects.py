"""Redirects: never to another host, port or scheme, never for a POST, and each hop in the throttle."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import pytest

from airflow_provider_peerclick.exceptions import PeerClickError

REDIRECT_STATUSES = [301, 302, 303, 307, 308]


def _elsewhere(kind, emulator, other_host):
    port = urlsplit(emulator.base_url).port
    return {
        "host": other_host.url("/v1/campaign"),
        "port": other_host.url("/v1/campaign", host="127.0.0.1"),
        "scheme": f"https://127.0.0.1:{port}/v1/campaign",
    }[kind]


@pytest.mark.parametrize("kind", ["host", "port", "scheme"])
def test_a_redirect_elsewhere_fails_at_once_naming_where_without_its_query(
    emulator, make_hook, other_host, kind
):
    hook = make_hook()
    hook.get_token()
    target = _elsewhere(kind, emulator, other_host)
    emulator.fault(path="/campaign", redirect=f"{target}?token=leak-me#frag", count=5)
    with pytest.raises(PeerClickError) as error:
        hook.list_campaigns()
    message = str(error.value)
    assert f"redirected to {target}" in message
    assert "leak-me" not in message
    assert "frag" not in message
    assert other_host.seen == []
    assert emulator.stats()["requests"] == 2  # the exchange and one attempt: not retried


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
def test_a_redirect_of_the_key_exchange_is_never_followed(emulator, make_hook, other_host, status):
    hook = make_hook()
    target = other_host.url("/v1/auth/access/session")
    emulator.fault(path="/auth", redirect=target, redirect_status=status, count=5)
    with pytest.raises(PeerClickError, match=f"HTTP {status} to POST /auth/access/session: redirected to"):
        hook.get_token()
    assert other_host.seen == []
    stats = emulator.stats()
    assert (stats["requests"], stats["tokens_issued"]) == (1, 0)


def test_a_create_redirected_within_the_host_is_not_sent_again(emulator, make_hook):
    hook = make_hook()
    before = len(hook.list_offers())
    target = f"{emulator.base_url}/offer"
    emulator.fault(path="/offer", method="POST", redirect=target, redirect_status=307)
    with pytest.raises(PeerClickError, match=f"HTTP 307 to POST /offer: redirected to {target}"):
        hook.create_offer({"name": "once", "workspaceId": 1, "url": "https://example.test/once"})
    assert len(hook.list_offers()) == before
    assert emulator.stats()["requests"] == 4  # exchange, list, the create, list


@pytest.mark.slow
def test_same_host_redirects_are_followed_and_each_hop_waits_for_the_throttle(emulator, make_hook):
    hook = make_hook(requests_per_second=1)
    hook.get_token()
    root_relative = urlsplit(emulator.base_url).path + "/offer"
    emulator.fault(path="/offer", method="GET", redirect=f"{emulator.base_url}/offer", redirect_status=301)
    emulator.fault(path="/offer", method="GET", redirect=root_relative, redirect_status=308)
    started = time.monotonic()
    assert isinstance(hook.list_offers(), list)
    assert time.monotonic() - started >= 2.0  # three requests, each a second after the last answer
    stats = emulator.stats()
    assert (stats["faults_served"], stats["requests"], stats["peak_per_second"]["all"]) == (2, 4, 1)


@pytest.mark.slow
def test_a_same_host_put_redirect_resends_its_body_in_its_own_throttle_place(emulator, make_hook):
    hook = make_hook(requests_per_second=1)
    campaign = hook.get_campaign(1)
    url = f"{emulator.base_url}/campaign/1"
    emulator.fault(path="/campaign/1", method="PUT", redirect=url, redirect_status=307)
    updated = hook.update_campaign(1, {**campaign, "name": "moved"})
    assert updated["name"] == "moved"
    stats = emulator.stats()
    assert (stats["faults_served"], stats["peak_per_second"]["all"]) == (1, 1)


def test_a_redirect_loop_fails_after_a_few_hops(emulator, make_hook):
    hook = make_hook(requests_per_second=3)
    hook.get_token()
    emulator.fault(path="/campaign", redirect=f"{emulator.base_url}/campaign", count=20)
    with pytest.raises(PeerClickError, match="more than 3 redirects"):
        hook.list_campaigns()
    assert emulator.stats()["requests"] == 1 + 4


@pytest.mark.slow
def test_a_triggers_request_follows_the_same_rules(emulator, make_hook, other_host):
    # The triggers' client (httpx) goes through the same hops: same-host followed, elsewhere refused.
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", method="GET", redirect=f"{emulator.base_url}/offer", redirect_status=301)
    target = other_host.url("/v1/campaign")
    emulator.fault(path="/campaign", redirect=f"{target}?token=leak-me", count=5)

    async def calls() -> tuple[list[dict[str, object]], str]:
        try:
            offers = await hook.alist_entities("offer")
            with pytest.raises(PeerClickError) as error:
                await hook.alist_entities("campaign")
            return offers, str(error.value)
        finally:
            await hook.aclose()

    offers, message = asyncio.run(calls())
    assert offers == hook.list_offers()
    assert f"redirected to {target}" in message
    assert "leak-me" not in message
    assert other_host.seen == []
