"""The Iceberg catalog a landing commits through: a SQL catalog in a SQLite file inside a local warehouse
by default, or one an Airflow connection describes (a REST catalog, or any pyiceberg catalog)."""

from __future__ import annotations

import os
import posixpath
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError

CATALOG_NAME = "peerclick"
# Inside the warehouse, under a name Spark, Hive and pyarrow skip when they list it.
DEFAULT_CATALOG_FILE = "_catalog.sqlite"


def require_pyiceberg() -> None:
    """Refuse, before any request, a landing where pyiceberg (with SQLAlchemy 2) is not installed."""
    try:
        import pyiceberg  # noqa: F401
        from pyiceberg.catalog.sql import SqlCatalog  # noqa: F401 - needs SQLAlchemy 2
    except ImportError as error:
        raise PeerClickInvalidArgumentError(
            f"Iceberg landings need pyiceberg with SQLAlchemy 2 ({error}): install "
            "'airflow-provider-peerclick[iceberg]' (Airflow 3.1 or newer)"
        ) from None


def local_warehouse(warehouse: Any) -> str | None:
    """The absolute folder of a local warehouse (a path or ``file://`` URL), or None for another scheme."""
    if not isinstance(warehouse, str) or not warehouse.strip():
        raise PeerClickInvalidArgumentError(
            f"warehouse: got {warehouse!r}; allowed: an absolute folder, or an object store URL with "
            "catalog_conn_id"
        )
    split = urlsplit(warehouse.strip())
    if split.scheme not in ("", "file", "local"):
        return None
    path = split.path if split.scheme else warehouse.strip()
    if not posixpath.isabs(path):
        raise PeerClickInvalidArgumentError(
            f"warehouse: got {warehouse!r}; a local warehouse must be an absolute path (a worker's "
            "working directory is arbitrary)"
        )
    return posixpath.normpath(path)


def catalog_properties(catalog_conn_id: str | None, warehouse: str) -> dict[str, str]:
    """pyiceberg's properties for the catalog: from the connection when one is named, else the default
    SQL catalog beside a local warehouse. Secrets in them are registered with Airflow's masker."""
    if catalog_conn_id is None:
        folder = local_warehouse(warehouse)
        if folder is None:
            raise PeerClickInvalidArgumentError(
                f"catalog_conn_id: needed for the warehouse {warehouse!r}: the default SQL catalog is a "
                "SQLite file, which only a local warehouse can hold; name an 'iceberg' (REST catalog) "
                "connection, or one whose extra holds pyiceberg catalog properties"
            )
        return {
            "type": "sql",
            "uri": f"sqlite:///{folder}/{DEFAULT_CATALOG_FILE}",
            "warehouse": f"file://{folder}",
        }
    return _connection_properties(catalog_conn_id, warehouse)


def _connection_properties(conn_id: str, warehouse: str) -> dict[str, str]:
    from airflow_provider_peerclick.hooks._secrets import mask_secret
    from airflow_provider_peerclick.version_compat import BaseHook

    try:
        connection = BaseHook.get_connection(conn_id)
    except Exception as error:  # AirflowNotFoundException, by a path that differs between releases
        raise PeerClickInvalidArgumentError(
            f"catalog_conn_id: no Airflow connection {conn_id!r} ({type(error).__name__}); create an "
            "'iceberg' connection (a REST catalog) or one whose extra holds pyiceberg catalog properties"
        ) from None
    properties = {key: str(value) for key, value in (connection.extra_dejson or {}).items()}
    if connection.conn_type == "iceberg":
        # As apache-airflow-providers-apache-iceberg reads it: host the REST URI, login and password the
        # OAuth client's ID and secret.
        properties.setdefault("type", "rest")
        if connection.host:
            properties.setdefault("uri", connection.host)
        if connection.login and connection.password:
            properties.setdefault("credential", f"{connection.login}:{connection.password}")
    properties.setdefault("warehouse", warehouse)
    if "uri" not in properties:
        raise PeerClickInvalidArgumentError(
            f"catalog_conn_id: connection {conn_id!r} names no catalog: give an 'iceberg' connection a "
            "host (the REST catalog's URL), or put pyiceberg properties in the extra, e.g. "
            '{"type": "sql", "uri": "postgresql+psycopg2://user@host/catalog"}'
        )
    for key, value in properties.items():
        if any(word in key for word in ("credential", "secret", "password", "token", "key")):
            mask_secret(value)
    if connection.password:
        mask_secret(connection.password)
    return properties


def open_catalog(catalog_conn_id: str | None, warehouse: str) -> Any:
    """The catalog (see ``catalog_properties``); the default one's folder is created when absent."""
    from pyiceberg.catalog import load_catalog
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random

    properties = catalog_properties(catalog_conn_id, warehouse)
    if catalog_conn_id is None:
        os.makedirs(urlsplit(properties["warehouse"]).path, exist_ok=True)
    # A SQL catalog creates its own tables when first opened; landings that open a new one at once race
    # to it, and the losers' CREATE TABLE fails: opened again, they find the tables there.
    for attempt in Retrying(
        retry=retry_if_exception(lambda error: "already exists" in str(error)),
        stop=stop_after_attempt(5),
        wait=wait_random(0.05, 0.5),
        reraise=True,
    ):
        with attempt:
            return load_catalog(CATALOG_NAME, **properties)
    raise AssertionError("unreachable: tenacity reraises the last failure")
