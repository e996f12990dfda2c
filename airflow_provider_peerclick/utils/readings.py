"""Answers a task can take from the report sensors upstream of it in the same run, instead of asking again.

A sensor that waited for a report has just fetched its row count and totals, and returned them with the
query and the connection they belong to (``utils.observations.observe_report``). A report task downstream
that asks for exactly that report of that account would send the same request a moment later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_peerclick.hooks._report_answers import ReportSummary
    from airflow_provider_peerclick.hooks._report_query import ReportQuery


def upstream_report_reading(
    task: Any, context: Context | Mapping[str, Any], query: ReportQuery
) -> tuple[str, ReportSummary] | None:
    """The task ID and answer of a ``PeerClickReportSensor`` directly upstream of ``task`` whose result, in
    this run, is ``query`` on ``task``'s connection; None when there is none (or no run, as in a test)."""
    ti = context.get("ti")
    sensors = _report_sensors(task)
    if ti is None or not sensors:
        return None
    wanted = {**query.to_json(), "peerclick_conn_id": task.peerclick_conn_id}
    # A list in every case: one value per sensor, or one per map index of a mapped sensor.
    for task_id in sensors:
        for value in ti.xcom_pull(task_ids=[task_id]) or ():
            if isinstance(value, Mapping) and all(value.get(key) == want for key, want in wanted.items()):
                from airflow_provider_peerclick.hooks._report_answers import ReportSummary

                return task_id, ReportSummary(total_rows=value["total_rows"], totals=value["totals"])
    return None


def _report_sensors(task: Any) -> list[str]:
    # Imported here: the sensor module imports the trigger's, which a report operator otherwise never needs.
    from airflow_provider_peerclick.sensors.report import PeerClickReportSensor

    found = []
    for upstream in getattr(task, "upstream_list", ()):
        # A mapped sensor is a MappedOperator naming its class.
        kind = getattr(upstream, "operator_class", type(upstream))
        if isinstance(kind, type) and issubclass(kind, PeerClickReportSensor):
            found.append(upstream.task_id)
    return found
