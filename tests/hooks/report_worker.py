"""One process's worth of report requests, started at a given moment: a task of another deployment.

    python report_worker.py START_AT COUNT

The connection comes from AIRFLOW_CONN_PEERCLICK_DEFAULT, as the test set it.
"""

from __future__ import annotations

import sys
import time

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook


def main() -> None:
    start_at, count = float(sys.argv[1]), int(sys.argv[2])
    hook = PeerClickHook()
    hook.budget  # noqa: B018 - read the connection before the start line, like a task's setup
    time.sleep(max(0.0, start_at - time.time()))
    for day in range(1, count + 1):
        hook.get_report_summary(start=f"2026-11-{day:02d}", end=f"2026-11-{day + 1:02d}", group_by="offer")
    print(f"{count} reports done")


if __name__ == "__main__":
    main()
