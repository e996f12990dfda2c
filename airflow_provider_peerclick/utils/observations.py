"""What sensors and their triggers poll for, as plain functions of a hook, so both decide alike.

Each returns an ``Observation``: whether the wait is over, the state to compare with the next poll, and
the value the sensor returns. States and values are JSON, because triggers carry them across processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_peerclick.utils import entities

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook, ReportQuery, ReportSummary

# "stable": the same as at the previous poll (an account day without traffic settles at zero rows like
# any other); "changed": anything differs from it.
ReportWait = Literal["stable", "changed"]


@dataclass(frozen=True)
class Observation:
    """One poll's outcome: whether the wait is over, what to compare the next poll with, and the result."""

    done: bool
    state: Any
    value: Any


def observe_report(
    hook: PeerClickHook,
    query: ReportQuery,
    previous: Any,
    until: ReportWait,
    *,
    final_at: float | None = None,
) -> Observation:
    """One summary request. ``final_at``: the time (epoch seconds) from which the report no longer changes,
    so that "stable" needs no second poll to confirm it.

    The value is the sensor's result: the row count and totals, the query (``ReportQuery.to_json()``) and
    the connection, so that a later task of the run can tell whether it asks for the same report
    (``utils.readings``)."""
    summary = hook.get_report_summary(query=query)
    return report_observation(summary, hook.peerclick_conn_id, query, previous, until, final_at=final_at)


def report_observation(
    summary: ReportSummary,
    conn_id: str,
    query: ReportQuery,
    previous: Any,
    until: ReportWait,
    *,
    final_at: float | None,
) -> Observation:
    """A report poll's outcome from its summary and the previous poll's state."""
    state = {"total_rows": summary.total_rows, "totals": summary.totals}
    if until == "stable":
        done = state == previous or (final_at is not None and time.time() >= final_at)
    else:
        done = state != previous
    value = {**state, **query.to_json(), "peerclick_conn_id": conn_id}
    return Observation(done=done, state=state, value=value)


def observe_entity(
    hook: PeerClickHook, kind: str, *, entity_id: Any, name: str | None, status: str | None
) -> Observation:
    """One poll for an entity, by ID or name."""
    entity = entities.find(hook, entities.KINDS[kind], entity_id=entity_id, name=name)
    return entity_observation(entity, status)


def entity_observation(entity: entities.Entity | None, status: str | None) -> Observation:
    """An entity poll's outcome: found (with ``status``, if wanted) or not."""
    done = entity is not None and (status is None or entity.get("status") == status)
    return Observation(done=done, state=entity, value=entity)
