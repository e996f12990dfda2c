"""One task's worth of PeerClick requests in a process of its own.

    python rate_worker.py KIND START_AT COUNT


KIND is ``report`` (a report task in ``peerclick_reports``) or ``api`` (an entity task in ``peerclick_api``);
the hook comes from the operator, so its throttle is the one a task holding one pool slot gets.
"""

from __future__ import annotations

import sys
import time

from airflow_provider_peerclick.operators.entities import PeerClickGetCampaignOperator
from airflow_provider_peerclick.operators.report import PeerClickReportOperator


def main() -> None:
    kind, start_at, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    if kind == "report":
        hook = PeerClickReportOperator(task_id="report", group_by="campaign").hook
        calls = [
            lambda day=day: hook.get_report_summary(
                start=f"2026-11-{day:02d}", end=f"2026-11-{day + 1:02d}", group_by="campaign"
            )
            for day in range(1, count + 1)
        ]
    else:
        hook = PeerClickGetCampaignOperator(task_id="api", campaign_id=1).hook
        calls = [lambda number=number: hook.get_campaign(number % 20 + 1) for number in range(count)]
    hook.settings  # noqa: B018 - read the connection before the start line, like a task's setup
    time.sleep(max(0.0, start_at - time.time()))
    for call in calls:
        call()
    print(f"{kind}: {count} requests done")


if __name__ == "__main__":
    main()
