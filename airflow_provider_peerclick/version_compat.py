"""Every difference between the Airflow 3 releases this provider supports (3.0 to 3.3), in one place.

The provider is written against the newest Airflow; each shim below says which older releases need it, so
it can go when those leave the supported range (pyproject's lower bound). The provider and its example
DAGs import these names from here, never straight from ``airflow``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # mypy checks against the newest Airflow: these are the names the shims stand for.
    from airflow.sdk import BaseHook, CronDataIntervalTimetable, conf
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
    from airflow.sdk.lineage import get_hook_lineage_collector
else:
    # 3.0: the Task SDK has no BaseHook yet; the core one is what its operators use.
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        from airflow.hooks.base import BaseHook

    # 3.0, 3.1: no `airflow.sdk.conf`; the core config object is the same one the SDK later re-exports.
    try:
        from airflow.sdk import conf
    except ImportError:
        from airflow.configuration import conf

    # 3.0, 3.1: the Task SDK has no timetables; DAG files use the core ones (3.2+ has both, and a DAG
    # file should use the SDK's: a worker with only the Task SDK installed has no core).
    try:
        from airflow.sdk import CronDataIntervalTimetable
    except ImportError:
        from airflow.timetables.interval import CronDataIntervalTimetable

    # 3.0, 3.1: the task exceptions live in airflow.exceptions, which is also what their task runner
    # catches (a look-alike class from elsewhere would be treated as an ordinary error).
    try:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
    except ImportError:
        from airflow.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred

    # 3.0, 3.1: the hook lineage collector is core's (the Task SDK took it over in 3.2).
    try:
        from airflow.sdk.lineage import get_hook_lineage_collector
    except ImportError:
        from airflow.lineage.hook import get_hook_lineage_collector


async def aget_connection(hook: BaseHook, conn_id: str) -> Any:
    """The connection, fetched without blocking a triggerer's event loop.

    3.0's BaseHook has no ``aget_connection`` (3.1 added it): its blocking ``get_connection`` runs in a
    worker thread instead.
    """
    fetch = getattr(hook, "aget_connection", None)
    if fetch is not None:
        return await fetch(conn_id)
    from asgiref.sync import sync_to_async

    return await sync_to_async(hook.get_connection)(conn_id)


__all__ = [
    "AirflowFailException",
    "AirflowSensorTimeout",
    "BaseHook",
    "CronDataIntervalTimetable",
    "TaskDeferred",
    "aget_connection",
    "conf",
    "get_hook_lineage_collector",
]
