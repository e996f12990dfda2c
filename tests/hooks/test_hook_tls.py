"""TLS: the connection's ``verify`` holds whatever REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE say, and a
certificate that fails verification is not retried."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from airflow_provider_peerclick.exceptions import PeerClickTransportError
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peerclick-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class _Answer(http.server.BaseHTTPRequestHandler):
    """Just enough of PeerClick: a token for any key, and an empty campaign list."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = {"description": "Success", "token": "tls-token", "campaigns": []}
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class TlsHost:
    base_url: str
    cert: Path
    handshakes: list[str]


class _TlsServer(http.server.ThreadingHTTPServer):
    def __init__(self, context: ssl.SSLContext, handshakes: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.context = context
        self.handshakes = handshakes

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, address = super().get_request()
        self.handshakes.append("started")
        return self.context.wrap_socket(sock, server_side=True), address

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        pass  # a client that rejects the certificate ends the handshake: expected here


@pytest.fixture
def tls_host(tmp_path) -> Iterator[TlsHost]:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = _TlsServer(context, [])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield TlsHost(f"https://127.0.0.1:{server.server_address[1]}/v1", cert, server.handshakes)
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("variable", CA_BUNDLE_VARIABLES)
def test_verify_false_holds_when_a_ca_bundle_variable_is_set(make_hook, tls_host, monkeypatch, variable):
    monkeypatch.setenv(variable, certifi.where())
    hook = make_hook(host=tls_host.base_url, verify=False)
    assert hook.list_campaigns() == []


@pytest.mark.parametrize("variable", CA_BUNDLE_VARIABLES)
def test_a_ca_bundle_path_holds_when_a_ca_bundle_variable_is_set(make_hook, tls_host, monkeypatch, variable):
    monkeypatch.setenv(variable, certifi.where())
    hook = make_hook(host=tls_host.base_url, verify=str(tls_host.cert))
    assert hook.list_campaigns() == []


def test_the_forms_ca_bundle_field_names_the_bundle_to_verify_against(make_hook, tls_host, monkeypatch):
    for variable in CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    hook = make_hook(host=tls_host.base_url, verify=True, ca_bundle=str(tls_host.cert))
    assert hook.list_campaigns() == []


def test_an_untrusted_certificate_fails_at_once_naming_the_host(make_hook, tls_host, monkeypatch):
    for variable in CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    hook = make_hook(host=tls_host.base_url)  # verify: true
    with pytest.raises(PeerClickTransportError, match=r"TLS verification failed for 127\.0\.0\.1:") as error:
        hook.get_token()
    assert "'verify'" in str(error.value)
    assert error.value.may_have_reached_server is False
    assert len(tls_host.handshakes) == 1  # not retried


def _in_a_trigger(hook: PeerClickHook) -> list[dict[str, object]]:
    """What a trigger does: the hook's coroutines, on httpx."""

    async def listing() -> list[dict[str, object]]:
        try:
            return await hook.alist_entities("campaign")
        finally:
            await hook.aclose()

    return asyncio.run(listing())


@pytest.mark.slow
def test_the_triggers_client_verifies_as_the_connection_says(make_hook, tls_host, monkeypatch):
    # httpx reads SSL_CERT_FILE as requests reads REQUESTS_CA_BUNDLE: neither may override the connection.
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert _in_a_trigger(make_hook(host=tls_host.base_url, verify=False)) == []
    assert _in_a_trigger(make_hook(host=tls_host.base_url, verify=str(tls_host.cert))) == []

    handshakes = len(tls_host.handshakes)
    with pytest.raises(PeerClickTransportError, match=r"TLS verification failed for 127\.0\.0\.1:") as error:
        _in_a_trigger(make_hook(host=tls_host.base_url))  # verify: true
    assert error.value.may_have_reached_server is False
    assert len(tls_host.handshakes) == handshakes + 1  # not retried
