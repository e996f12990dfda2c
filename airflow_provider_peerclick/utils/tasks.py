"""What every PeerClick operator and sensor shares: its pool, a hook sized to it, and template checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID, PoolKind, pool_name
from airflow_provider_peerclick.utils.mapped_accounts import PeerClickOperatorPartial

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook


class PeerClickTaskMixin:
    """
    Puts a task in its connection's PeerClick pool unless the user names one (the argument,
    ``default_args`` of the task, its task group or its DAG), mapped or not, and gives it ``self.hook``,
    whose rate budget (``hook.budget``) is sized to the pool slots the task holds.
    """

    pool_kind: ClassVar[PoolKind]
    peerclick_conn_id: str
    pool_slots: int

    @classmethod
    def default_pool(cls, conn_id: Any) -> str:
        """The pool for ``conn_id`` (checked here, as every task asks this first); a templated or mapped
        connection falls back to the default one's, and the hook's pool check names the right pool at run
        time."""
        if not isinstance(conn_id, str) or not conn_id.strip():
            raise PeerClickInvalidArgumentError(
                f"peerclick_conn_id: got {conn_id!r}; allowed: a connection ID such as 'peerclick_default'"
            )
        return pool_name(DEFAULT_CONN_ID if is_templated(conn_id) else conn_id, cls.pool_kind)

    @classmethod
    def partial(cls, **kwargs: Any) -> Any:
        """As ``BaseOperator.partial``, with the PeerClick pool as default.

        A mapped task never runs ``__init__`` until it is expanded on a worker, long after the scheduler
        chose its pool, so the default set there would be lost. Mapping over accounts is checked as it
        is declared (``mapped_accounts``).
        """
        operator_partial = super().partial(**kwargs)  # type: ignore[misc]
        given = operator_partial.kwargs
        if "pool" not in given:  # partial() has merged every default_args into these already
            dag = given.get("dag")
            dag_conn = (dag.default_args or {}).get("peerclick_conn_id") if dag is not None else None
            conn_id = given.get("peerclick_conn_id", dag_conn or DEFAULT_CONN_ID)
            given["pool"] = cls.default_pool(conn_id if isinstance(conn_id, str) else DEFAULT_CONN_ID)
        return PeerClickOperatorPartial.of(operator_partial)

    @cached_property
    def hook(self) -> PeerClickHook:
        # Imported when a task runs: DAG files that declare tasks need none of the hook's machinery.
        from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

        return PeerClickHook(self.peerclick_conn_id, pool_slots=self.pool_slots)


def add_outlet(kwargs: dict[str, Any], outlet: Any) -> None:
    """Add ``outlet`` to the ``outlets`` a task was given in ``kwargs`` (BaseOperator takes one outlet
    as well as a list of them)."""
    given = kwargs.pop("outlets", None) or []
    outlets = list(given) if isinstance(given, list | tuple) else [given]
    kwargs["outlets"] = [*outlets, outlet]


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


def check_required_now(value: Any, check: Callable[[Any], Any]) -> None:
    """As ``check_now``, for arguments that have no default: None is checked (and refused) too."""
    if not is_templated(value):
        check(value)
