"""Which catalog a connection names: what pyiceberg is given, before any catalog is reached."""

from __future__ import annotations

import json

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.iceberg.catalog import catalog_properties


def test_an_iceberg_connection_is_a_rest_catalog_with_its_client_credential(monkeypatch):
    connection = {
        "conn_type": "iceberg",
        "host": "https://catalog.example.com/api/catalog",
        "login": "client-id",
        "password": "client-secret-value",
        "extra": {"warehouse": "analytics", "scope": "PRINCIPAL_ROLE:ALL"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_LAKE", json.dumps(connection))
    masked: list[str] = []
    monkeypatch.setattr("airflow_provider_peerclick.hooks._secrets.mask_secret", masked.append)

    properties = catalog_properties("lake", "s3://lake/warehouse")

    assert properties == {
        "type": "rest",
        "uri": "https://catalog.example.com/api/catalog",
        "credential": "client-id:client-secret-value",
        "warehouse": "analytics",
        "scope": "PRINCIPAL_ROLE:ALL",
    }
    assert "client-id:client-secret-value" in masked
    assert "client-secret-value" in masked


def test_a_connection_without_a_catalog_uri_is_refused_naming_what_to_give(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_EMPTY", json.dumps({"conn_type": "generic", "extra": {"type": "sql"}}))
    with pytest.raises(PeerClickInvalidArgumentError, match="names no catalog"):
        catalog_properties("empty", "/data/lake")


def test_the_default_catalog_is_a_sqlite_file_in_a_local_warehouse():
    assert catalog_properties(None, "file:///data/lake/") == {
        "type": "sql",
        "uri": "sqlite:////data/lake/_catalog.sqlite",
        "warehouse": "file:///data/lake",
    }
    with pytest.raises(PeerClickInvalidArgumentError, match="must be an absolute path"):
        catalog_properties(None, "relative/lake")
