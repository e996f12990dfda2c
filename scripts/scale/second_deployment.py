"""
A second "deployment" on account A: a plain process (not Airflow) with its own PeerClickHook, calling
PeerClick while the backfill runs, as staging next to production or a script next to Airflow would.

Off by default (`python -m scripts.scale --second-deployment` turns it on). The provider's throttle is per
process today: this process and the Airflow deployment would each believe they own account A's 3
requests/s, and PeerClick would refuse requests. It is meant for when the provider reads a shared
rate-limit store from the connection's extras (`"rate_limit_store": "redis://127.0.0.1:PORT/1"`): then
both take their places from the same Redis, and the run must still end with refused=0.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from types import FrameType

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

STORE_EXTRA = "rate_limit_store"
# Added to this process's User-Agent, so the emulator's request log tells its requests from Airflow's.
AGENT = "scale-second-deployment"


def connection_extra(store_url: str) -> dict[str, str]:
    """The extras both deployments' connections to account A get, so that they share one budget."""
    return {STORE_EXTRA: store_url}


def argv(conn_id: str, days: Sequence[str]) -> list[str]:
    """How the harness starts this module (its connection comes in the environment, as for Airflow)."""
    return [sys.executable, "-m", "scripts.scale.second_deployment", "--conn-id", conn_id, *days]


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conn-id", required=True)
    parser.add_argument("days", nargs="+", help="YYYY-MM-DD days whose totals to read, round after round")
    options = parser.parse_args(args)
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    hook = PeerClickHook(options.conn_id)
    session = hook.get_conn()
    session.headers["User-Agent"] = f"{session.headers['User-Agent']!s} {AGENT}"
    rounds = 0
    # Until the harness stops us when the backfill is done: a mix of reports and entity reads, as fast as
    # the hook's throttle lets it go (that is the point: it competes with Airflow for account A's budget).
    while not stopping:
        for day in options.days:
            if stopping:
                break
            end = date.fromisoformat(day) + timedelta(days=1)
            hook.get_report_totals(start=day, end=end.isoformat(), group_by="day", tz="UTC")
            hook.list_campaigns()
        rounds += 1
    print(f"second deployment: {rounds} rounds", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
