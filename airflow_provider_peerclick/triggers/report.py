"""PeerClickReportTrigger: waits in the triggerer for a report's data to arrive or change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook, ReportQuery
from airflow_provider_peerclick.triggers.base import PeerClickPollingTrigger
from airflow_provider_peerclick.utils.observations import Observation, ReportWait, report_observation


class PeerClickReportTrigger(PeerClickPollingTrigger):
    """
    :param query: the report to poll: a ``ReportQuery``, or its JSON form (``ReportQuery.to_json()``, as
        ``serialize`` gives it).
    :param until: "stable" (unchanged since the previous poll) or "changed".
    :param final_at: when (epoch seconds) the report stops changing: "stable" needs no comparison after.
    """

    def __init__(
        self,
        *,
        query: ReportQuery | Mapping[str, Any],
        until: ReportWait = "stable",
        final_at: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.query = query if isinstance(query, ReportQuery) else ReportQuery.from_json(query)
        self.until = until
        self.final_at = final_at

    def specific_kwargs(self) -> dict[str, Any]:
        """What this trigger adds to the serialized arguments: the query and the rule."""
        return {"query": self.query.to_json(), "until": self.until, "final_at": self.final_at}

    async def observe(self, hook: PeerClickHook, previous: Any) -> Observation:
        """One summary request, compared with the previous poll's."""
        summary = await hook.aget_report_summary(self.query)
        conn_id = hook.peerclick_conn_id
        return report_observation(summary, conn_id, self.query, previous, self.until, final_at=self.final_at)
