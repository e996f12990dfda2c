"""PeerClickReportTrigger: waits in the triggerer for a report's data to arrive or change."""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.triggers.base import PeerClickPollingTrigger
from airflow_provider_peerclick.utils.observations import Observation, ReportWait, observe_report


class PeerClickReportTrigger(PeerClickPollingTrigger):
    """
    :param query: keyword arguments of ``PeerClickHook.get_report_summary`` (JSON: ISO datetimes).
    :param until: "stable" (rows present and unchanged since the previous poll) or "changed".
    """

    def __init__(self, *, query: dict[str, Any], until: ReportWait = "stable", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = query
        self.until = until

    def specific_kwargs(self) -> dict[str, Any]:
        return {"query": self.query, "until": self.until}

    def observe(self, hook: PeerClickHook, previous: Any) -> Observation:
        return observe_report(hook, self.query, previous, self.until)
