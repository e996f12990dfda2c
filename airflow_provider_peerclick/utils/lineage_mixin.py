"""The report tasks' OpenLineage hook, apart from the lineage itself (``utils.lineage``), which it loads
only when the listener asks: a DAG file that declares report tasks imports this alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from airflow_provider_peerclick.utils.lineage import ReportLineage


class ReportLineageMixin:
    """``get_openlineage_facets_on_complete`` from the ``ReportLineage`` a task's execute recorded."""

    report_lineage: ReportLineage | None = None

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The report read, and what was written, for the OpenLineage listener."""
        if self.report_lineage is None:
            # Nothing recorded (the task failed before it read anything): an empty answer lets the
            # OpenLineage provider fall back to the task's declared outlets.
            from airflow.providers.openlineage.extractors import OperatorLineage

            return OperatorLineage()
        return self.report_lineage.to_openlineage()
