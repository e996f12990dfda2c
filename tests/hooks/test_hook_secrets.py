"""The access key and session tokens stay out of logs, errors and other hosts."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_peerclick.exceptions import PeerClickError
from airflow_provider_peerclick.tokens import tokens


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
