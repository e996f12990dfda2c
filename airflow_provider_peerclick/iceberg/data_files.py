"""A partition's rows as one Parquet data file for an Iceberg table: the report's columns under the table's
names, after the partition's own (``account``, ``date``), written a row group at a time."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import pyarrow as pa

from airflow_provider_peerclick.sql.names import column_name
from airflow_provider_peerclick.sql.tables import ACCOUNT, DATE


@dataclass(frozen=True)
class PartitionFrame:
    """Adds the partition's constant columns to each row group and gives every column its table name.
    Both are required in the table, so the file says so (pyiceberg checks it when the file is added)."""

    account: str
    day: datetime.date

    def schema(self, rows: pa.Schema) -> pa.Schema:
        """The data file's schema: ``account`` and ``date`` first, then the report's columns under their
        table names."""
        fields = [pa.field(column_name(field.name), field.type) for field in rows]
        partition = [
            pa.field(ACCOUNT, pa.string(), nullable=False),
            pa.field(DATE, pa.date32(), nullable=False),
        ]
        return pa.schema([*partition, *fields])

    def apply(self, table: pa.Table) -> pa.Table:
        """The rows of ``table`` with the partition's ``account`` and ``date`` columns in front."""
        count = table.num_rows
        columns = [
            pa.repeat(pa.scalar(self.account, pa.string()), count),
            pa.repeat(pa.scalar(self.day, pa.date32()), count),
            *table.columns,
        ]
        return pa.Table.from_arrays(columns, schema=self.schema(table.schema))


def data_file_path(location: str, account: str, day: datetime.date) -> str:
    """Where a landing writes its file: under the table's ``data`` folder, Hive-style by partition, with
    a name of its own so no two landings (or a landing and a killed one) ever share a file."""
    safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in account)
    return f"{location.rstrip('/')}/data/{ACCOUNT}={safe}/{DATE}={day.isoformat()}/{uuid.uuid4().hex}.parquet"
