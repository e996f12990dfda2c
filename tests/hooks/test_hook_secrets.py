"""The access key and session tokens stay out of logs, errors and other hosts."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_peerclick.exceptions import PeerClickError
from airflow_provider_peerclick.hooks._secrets import shown_url
from airflow_provider_peerclick.hooks._tokens import tokens


@pytest.mark.slow
def test_no_secret_in_logs_or_error_messages(emulator, make_hook, caplog):
    caplog.set_level(logging.DEBUG)
    hook = make_hook()
    token = hook.get_token()
    messages = []
    emulator.fault(path="/campaign", status=503, count=1)
    hook.list_campaigns()
    wrong = make_hook(password="wrong-key-value")
    tokens.clear()  # the right key's token is cached for this key ID: make the wrong key be tried
    for call in (wrong.get_token, lambda: hook.get_offer(424242)):
        with pytest.raises(PeerClickError) as error:
            call()
        messages.append(str(error.value))
        messages.append(repr(error.value))
    emulator.expire_tokens()
    hook = make_hook()
    hook.list_offers()
    text = caplog.text + "\n".join(messages) + repr(hook.settings)
    assert caplog.records, "the hook should have logged something to check"
    for secret in (emulator.access_key, token, hook.get_token(), "wrong-key-value"):
        assert secret not in text


def test_tls_is_verified_by_default(make_hook):
    hook = make_hook()
    assert hook.get_conn().verify is True


def test_test_connection_never_echoes_credentials(emulator, make_hook):
    host = emulator.base_url.replace("http://", "http://someone:pw-in-host@")
    ok, message = make_hook(host=host).test_connection()
    assert ok is False
    assert "host (Base URL)" in message
    for secret in ("pw-in-host", emulator.access_key):
        assert secret not in message
    ok, message = make_hook(password="wrong-key-value").test_connection()
    assert ok is False
    assert "wrong-key-value" not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://***@127.0.0.1:6379/0"),
        ("http://user:pa/ss@host:8080/v1", "http://***@host:8080/v1"),  # a '/' a parser would stop at
        ("https://evil.example/steal?token=s3cret#frag", "https://evil.example/steal"),
        ("https://a:b@host/path?key=s3cret", "https://***@host/path"),
        ("https://api.peerclick.com/v1", "https://api.peerclick.com/v1"),
    ],
)
def test_urls_in_errors_show_no_user_info_query_or_fragment(url, shown):
    assert shown_url(url) == shown
