"""What every PeerClick operator and sensor shares: a hook sized to its pool slots, and template checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook


class PeerClickTaskMixin:
    """Gives a task ``self.hook``: throttled to one request/s per pool slot the task holds."""

    peerclick_conn_id: str
    pool_slots: int

    @cached_property
    def hook(self) -> PeerClickHook:
        return PeerClickHook(self.peerclick_conn_id, pool_slots=self.pool_slots)


def is_templated(value: Any) -> bool:
    """True when ``value`` is only known once Airflow renders it (Jinja text, an XComArg), at any depth."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if hasattr(value, "resolve"):
        return True
    if isinstance(value, Mapping):
        return any(is_templated(key) or is_templated(item) for key, item in value.items())
    if isinstance(value, list | tuple | set):
        return any(is_templated(item) for item in value)
    return False


def check_now(value: Any, check: Callable[[Any], Any]) -> None:
    """Validate ``value`` at DAG parse time unless it is templated (then it is checked before the request)."""
    if value is not None and not is_templated(value):
        check(value)
