"""Land one day into an Iceberg table and SIGKILL this process partway: ``write`` after the first page of
the data file, ``commit`` inside the commit (the day's delete and the new file staged, nothing committed).

    python land_and_die.py WAREHOUSE DAY KILL_AT PAGE_SIZE [CATALOG_CONN_ID]
"""

from __future__ import annotations

import os
import signal
import sys

import pendulum
from pyiceberg.table import Transaction

from airflow_provider_peerclick.operators.iceberg import PeerClickReportToIcebergOperator
from airflow_provider_peerclick.storage.parquet_rows import ParquetRowWriter


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(warehouse: str, day: str, kill_at: str, page_size: int, catalog_conn_id: str | None) -> None:
    if kill_at == "write":
        write_rows = ParquetRowWriter.write_rows

        def write_then_die(self: ParquetRowWriter, rows: list) -> None:
            write_rows(self, rows)
            die()

        ParquetRowWriter.write_rows = write_then_die  # type: ignore[method-assign]
    else:
        commit = Transaction.commit_transaction

        def die_in_commit(self: Transaction) -> object:
            if any(update.action == "add-snapshot" for update in self._updates):
                die()
            return commit(self)

        Transaction.commit_transaction = die_in_commit  # type: ignore[method-assign]
    start = pendulum.parse(day)
    operator = PeerClickReportToIcebergOperator(
        task_id="land",
        warehouse=warehouse,
        catalog_conn_id=catalog_conn_id,
        table="peerclick.campaign",
        group_by="campaign",
        page_size=page_size,
    )
    operator.execute({"data_interval_start": start, "data_interval_end": start.add(days=1)})  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None)
