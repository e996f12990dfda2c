"""An Iceberg report table: its schema (the SQL tables' columns: ``account``, ``date``, then the report's
under snake_case names), its partitioning (identity on account and date), created when absent, and
evolved as ``schema_changes`` allows."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.sql.names import column_name
from airflow_provider_peerclick.sql.tables import ACCOUNT, DATE
from airflow_provider_peerclick.storage.columns import column_type

DEFAULT_NAMESPACE = "peerclick"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def table_identifier(value: Any) -> tuple[str, str]:
    """``(namespace, table)`` from ``table`` or ``namespace.table`` (letters, digits and ``_``)."""
    parts = value.split(".") if isinstance(value, str) else []
    if len(parts) == 1:
        parts = [DEFAULT_NAMESPACE, *parts]
    if len(parts) != 2 or not all(_NAME.match(part) for part in parts):
        raise PeerClickInvalidArgumentError(
            f"table: got {value!r}; allowed: 'table' or 'namespace.table' of letters, digits and '_', "
            f"not starting with a digit (the namespace defaults to {DEFAULT_NAMESPACE!r})"
        )
    return parts[0], parts[1]


def _iceberg_type(kind: str) -> Any:
    from pyiceberg.types import DoubleType, LongType, StringType

    return {"integer": LongType(), "double": DoubleType(), "string": StringType()}[kind]


def new_schema(keys: Sequence[str]) -> Any:
    """The table's first schema: the partition's columns (required), then one column per report key."""
    from pyiceberg.schema import Schema
    from pyiceberg.types import DateType, NestedField, StringType

    fields = [
        NestedField(1, ACCOUNT, StringType(), required=True),
        NestedField(2, DATE, DateType(), required=True),
        *(
            NestedField(number, column_name(key), _iceberg_type(column_type(key)), required=False)
            for number, key in enumerate(keys, start=3)
        ),
    ]
    return Schema(*fields)


def partition_spec() -> Any:
    """The tables' partitioning: identity on ``account``, then on ``date``."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import IdentityTransform

    return PartitionSpec(
        PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name=ACCOUNT),
        PartitionField(source_id=2, field_id=1001, transform=IdentityTransform(), name=DATE),
    )


def open_table(catalog: Any, identifier: tuple[str, str], keys: Sequence[str]) -> Any:
    """The table, created with ``keys``' columns when absent; a landing racing this one to it is no error."""
    from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError

    # Another landing may create it between the check and the insert.
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace_if_not_exists(identifier[0])
    try:
        return catalog.create_table_if_not_exists(
            identifier, schema=new_schema(keys), partition_spec=partition_spec()
        )
    except TableAlreadyExistsError:
        return catalog.load_table(identifier)


def table_columns(table: Any) -> tuple[str, ...]:
    """The names of a table's columns, in its current schema."""
    return tuple(field.name for field in table.schema().fields)


def add_columns(table: Any, keys: Sequence[str]) -> None:
    """``evolve``: the columns PeerClick started sending, as optional columns (Iceberg's schema evolution:
    no data file is rewritten, and older files read them as NULL)."""
    with table.update_schema() as update:
        for key in keys:
            if column_name(key) not in table_columns(table):
                update.add_column(column_name(key), _iceberg_type(column_type(key)))
