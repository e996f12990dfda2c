"""Land one day into the warehouse connection and SIGKILL this process mid-insert, after ``inserts``
batches went into the open transaction.

    python land_and_die.py TABLE LOADS DAY INSERTS PAGE_SIZE
"""

from __future__ import annotations

import os
import signal
import sys

import pendulum

from airflow_provider_peerclick.operators.sql import PeerClickReportToSqlOperator
from airflow_provider_peerclick.sql.dialects import Dialect


def main(table: str, loads: str, day: str, inserts: int, page_size: int) -> None:
    insert = Dialect.insert
    done = []

    def insert_then_die(self: Dialect, *args: object) -> None:
        insert(self, *args)  # type: ignore[arg-type]
        done.append(1)
        if len(done) == inserts:
            os.kill(os.getpid(), signal.SIGKILL)

    Dialect.insert = insert_then_die  # type: ignore[method-assign]
    start = pendulum.parse(day)
    operator = PeerClickReportToSqlOperator(
        task_id="land",
        sql_conn_id="warehouse",
        table=table,
        load_table=loads,
        group_by="campaign",
        page_size=page_size,
    )
    operator.execute({"data_interval_start": start, "data_interval_end": start.add(days=1)})  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
