"""The connection is read the way users write it, and every unusable field is named at once."""

from __future__ import annotations

import json

import pytest
from airflow.sdk import Connection

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError
from airflow_provider_peerclick.hooks._connection import PeerClickSettings


def conn(**fields) -> Connection:
    extra = fields.pop("extra", None)
    return Connection(
        conn_id="pc",
        conn_type="peerclick",
        extra=json.dumps(extra) if extra is not None else None,
        **{"login": "key-id", "password": "s3cret-access-key", **fields},
    )


def test_defaults_point_at_the_real_api_with_tls_verified():
    settings = PeerClickSettings.from_connection(conn())
    assert settings.base_url == "https://api.peerclick.com/v1"
    assert settings.verify is True
    assert (settings.requests_per_second, settings.report_requests_per_second) == (1.0, 1.0)


def test_json_form_host_with_version_path_is_used_as_is():
    settings = PeerClickSettings.from_connection(conn(host="http://127.0.0.1:8080/v1_1/"))
    assert settings.base_url == "http://127.0.0.1:8080/v1_1"


def test_api_version_extra_applies_to_a_host_without_path():
    settings = PeerClickSettings.from_connection(
        conn(host="https://api.peerclick.com", extra={"api_version": "v1_1"})
    )
    assert settings.base_url == "https://api.peerclick.com/v1_1"


def test_uri_form_host_port_and_schema_make_an_https_url():
    settings = PeerClickSettings.from_connection(conn(host="api.example.test", port=8443, schema="v1"))
    assert settings.base_url == "https://api.example.test:8443/v1"


def test_extras_are_read_and_typed():
    extra = {
        "token_lifetime": "3600",
        "read_timeout": 30,
        "verify": "false",
        "requests_per_second": 2,
        "max_attempts": 3,
    }
    settings = PeerClickSettings.from_connection(conn(extra=extra))
    assert settings.token_lifetime == 3600
    assert settings.read_timeout == 30.0
    assert settings.verify is False
    assert settings.requests_per_second == 2.0
    assert settings.max_attempts == 3


def test_every_problem_is_named_in_one_error_without_the_key():
    bad = conn(login="", password="", host="ftp://x", extra={"read_timeout": -1, "api_version": "v9"})
    with pytest.raises(PeerClickConnectionConfigError) as error:
        PeerClickSettings.from_connection(bad)
    message = str(error.value)
    for part in (
        "'pc'",
        "login (Access key ID)",
        "password (Access key)",
        "read_timeout",
        "api_version",
        "ftp://x",
    ):
        assert part in message


def test_repr_hides_the_access_key():
    settings = PeerClickSettings.from_connection(conn())
    assert "s3cret-access-key" not in repr(settings)
    assert "s3cret-access-key" not in str(settings)


def _config_error(**fields) -> str:
    with pytest.raises(PeerClickConnectionConfigError) as error:
        PeerClickSettings.from_connection(conn(**fields))
    return str(error.value)


@pytest.mark.parametrize(
    "host",
    [
        "http://user:pw-in-host@127.0.0.1:8080/v1",
        "https://pw-in-host@api.peerclick.com/v1",
        "http://user:pw-in-host/with-slash@127.0.0.1/v1",
        "ftp://user:pw-in-host@example.test/v1",
    ],
)
def test_credentials_in_the_host_are_refused_and_never_echoed(host):
    message = _config_error(host=host)
    assert "host (Base URL)" in message
    assert "pw-in-host" not in message
    assert "s3cret-access-key" not in message


def test_userinfo_message_says_where_credentials_belong():
    message = _config_error(host="http://user:pw-in-host@127.0.0.1:8080/v1")
    assert "user name or password" in message
    assert "http://***@127.0.0.1:8080/v1" in message


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"host": "http://127.0.0.1:99999/v1"}, "http://127.0.0.1:99999/v1"),
        ({"host": "http://127.0.0.1:0/v1"}, "http://127.0.0.1:0/v1"),
        ({"host": "http://127.0.0.1:port/v1"}, "http://127.0.0.1:port/v1"),
        ({"host": "api.example.test", "port": 70000}, "https://api.example.test:70000/v1"),
    ],
)
def test_ports_outside_1_to_65535_are_refused(fields, shown):
    message = _config_error(**fields)
    assert "port from 1 to 65535" in message
    assert repr(shown) in message


@pytest.mark.parametrize(
    "host", ["not a url", "http://exa mple.test/v1", "http://[::1/v1", "https://:8080/v1", "http://a..b/v1"]
)
def test_hosts_that_cannot_be_a_url_are_refused_naming_the_field(host):
    message = _config_error(host=host)
    assert "host (Base URL)" in message
    assert "https://api.peerclick.com/v1" in message  # what a good one looks like


@pytest.mark.parametrize(
    "host", ["http://[::1]:8080/v1", "http://peerclick_emulator:8080/v1", "https://x.test."]
)
def test_unusual_but_valid_hosts_are_accepted(host):
    assert PeerClickSettings.from_connection(conn(host=host)).base_url.startswith(host.rstrip("/"))
