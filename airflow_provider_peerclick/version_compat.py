"""Every difference between the Airflow 3 releases this provider supports (3.0 to 3.3), in one place.

The provider is written against the newest Airflow; each shim below says which older releases need it, so
it can go when those leave the supported range (pyproject's lower bound). The provider and its example
DAGs import these names from here, never straight from ``airflow``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # mypy checks against the newest Airflow: these are the names the shims stand for.
    from airflow.sdk import BaseHook, CronDataIntervalTimetable, conf
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
    from airflow.sdk.lineage import get_hook_lineage_collector

# Each name from its first home that has it, the newest first. Looked up on first use (PEP 562), so a
# DAG file's parse imports only the homes of the names it touches (the lineage collector and BaseHook
# cost milliseconds, and only running tasks need them).
_HOMES: dict[str, tuple[str, ...]] = {
    # 3.0: the Task SDK has no BaseHook yet; the core one is what its operators use.
    "BaseHook": ("airflow.sdk", "airflow.hooks.base"),
    # 3.0, 3.1: no `airflow.sdk.conf`; the core config object is the same one the SDK later re-exports.
    "conf": ("airflow.sdk", "airflow.configuration"),
    # 3.0, 3.1: the Task SDK has no timetables; DAG files use the core ones (3.2+ has both, and a DAG
    # file should use the SDK's: a worker with only the Task SDK installed has no core).
    "CronDataIntervalTimetable": ("airflow.sdk", "airflow.timetables.interval"),
    # 3.0, 3.1: the task exceptions live in airflow.exceptions, which is also what their task runner
    # catches (a look-alike class from elsewhere would be treated as an ordinary error).
    "AirflowFailException": ("airflow.sdk.exceptions", "airflow.exceptions"),
    "AirflowSensorTimeout": ("airflow.sdk.exceptions", "airflow.exceptions"),
    "TaskDeferred": ("airflow.sdk.exceptions", "airflow.exceptions"),
    # 3.0, 3.1: the hook lineage collector is core's (the Task SDK took it over in 3.2).
    "get_hook_lineage_collector": ("airflow.sdk.lineage", "airflow.lineage.hook"),
}


def __getattr__(name: str) -> Any:
    homes = _HOMES.get(name)
    if homes is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for home in homes:
        try:
            value = getattr(importlib.import_module(home), name)
        except (ImportError, AttributeError):
            continue
        globals()[name] = value  # found once: later lookups are plain attribute reads
        return value
    raise ImportError(f"cannot import {name!r} from any of {', '.join(homes)}")


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
