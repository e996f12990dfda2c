"""The database a landing writes to: an Airflow connection whose hook is a common.sql ``DbApiHook``."""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError


def sql_hook(conn_id: Any) -> Any:
    """The ``DbApiHook`` of connection ``conn_id``; a clear error, before anything is sent to PeerClick,
    when there is no such connection or its hook cannot run SQL."""
    from airflow.providers.common.sql.hooks.sql import DbApiHook

    from airflow_provider_peerclick.version_compat import BaseHook

    if not isinstance(conn_id, str) or not conn_id.strip():
        raise PeerClickInvalidArgumentError(
            f"sql_conn_id: got {conn_id!r}; allowed: the ID of an Airflow connection to a database"
        )
    try:
        connection = BaseHook.get_connection(conn_id)
    except Exception as error:  # AirflowNotFoundException, by a path that differs between releases
        raise PeerClickInvalidArgumentError(
            f"sql_conn_id: no Airflow connection {conn_id!r} ({type(error).__name__}); create one whose "
            "type is a database (postgres, sqlite, or another with a common.sql hook)"
        ) from None
    try:
        hook = connection.get_hook()
    except Exception as error:  # an unknown type, or its provider not installed
        raise PeerClickInvalidArgumentError(
            f"sql_conn_id: connection {conn_id!r} of type {connection.conn_type!r} has no hook here "
            f"({error}); install the provider of that database, e.g. apache-airflow-providers-postgres"
        ) from None
    if not isinstance(hook, DbApiHook):
        raise PeerClickInvalidArgumentError(
            f"sql_conn_id: connection {conn_id!r} is of type {connection.conn_type!r}, whose hook "
            f"{type(hook).__name__} is not a DbApiHook; allowed: a database connection "
            "(postgres, sqlite, or another with a common.sql hook)"
        )
    return hook
