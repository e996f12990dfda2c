"""The access key and session tokens stay out of logs, errors and other hosts."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from airflow_provider_peerclick.exceptions import PeerClickError
from airflow_provider_peerclick.tokens import tokens


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"description": "Success", "campaigns": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_host() -> Iterator[int]:
    """A second HTTP server, reached as 'localhost' while the emulator is '127.0.0.1'."""
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_token_is_not_sent_to_another_host_on_redirect(emulator, make_hook, other_host):
    hook = make_hook()
    token = hook.get_token()
    emulator.fault(path="/campaign", redirect=f"http://localhost:{other_host}/v1/campaign", count=1)
    hook.list_campaigns()
    assert len(_Recorder.seen) == 1
    assert "api-token" not in _Recorder.seen[0]
    assert token not in str(_Recorder.seen[0])


def test_token_is_kept_on_a_redirect_within_the_same_host(emulator, make_hook):
    hook = make_hook()
    hook.get_token()
    emulator.fault(path="/offer", redirect=f"{emulator.base_url}/campaign", count=1)
    assert isinstance(hook.request("GET", "/offer")["campaigns"], list)  # followed, and still authorised


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
