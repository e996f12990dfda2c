"""A table's URI in the form Airflow's database providers give their Assets, e.g.
``postgres://host:5432/database/schema/table``: what lineage names the table by."""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick.sql.names import TableName

_DEFAULT_SCHEMA = {"postgres": "public"}
_DEFAULT_PORT = {"postgres": 5432}


def table_uri(hook: Any, table: TableName) -> str:
    """The URI of ``table`` on the database of ``hook`` (a ``DbApiHook``), from its connection: no query
    is sent. SQLite's is the file's path, then the table."""
    connection = hook.get_connection(hook.get_conn_id())
    kind = connection.conn_type or "sql"
    if kind == "sqlite":
        return f"sqlite://{connection.host}/{table.name}"
    port = connection.port or _DEFAULT_PORT.get(kind)
    where = f"{connection.host}:{port}" if port else str(connection.host)
    parts = [connection.schema, table.schema or _DEFAULT_SCHEMA.get(kind), table.name]
    return f"{kind}://{where}/" + "/".join(part for part in parts if part)
