"""What every PeerClick operator and sensor shares: its pool, a hook sized to it, and the check of its
arguments at DAG parse time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID, PoolKind, pool_name

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
    from airflow_provider_peerclick.links import PeerClickLink


class PeerClickTaskMixin:
    """
    Puts a task in its connection's PeerClick pool unless the user names one (the argument,
    ``default_args`` of the task, its task group or its DAG), mapped or not, and gives it ``self.hook``,
    whose rate budget (``hook.budget``) is sized to the pool slots the task holds.

    Constructors only assign (Airflow's rule: template fields are rendered after them), then call
    ``check_arguments``, the one parse-time check, which leaves alone whatever Airflow will render.
    """

    pool_kind: ClassVar[PoolKind]
    pool_slots: int  # these two are BaseOperator's
    outlets: list[Any]
    # The extra links' URLs the task worked out as it ran, by link name (``keep_link``).
    peerclick_links: Mapping[str, str] = MappingProxyType({})

    def __init__(self, *, peerclick_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        kwargs.setdefault("pool", self.default_pool(peerclick_conn_id))
        super().__init__(**kwargs)
        self.peerclick_conn_id = peerclick_conn_id

    @classmethod
    def default_pool(cls, conn_id: Any) -> str:
        """The pool for ``conn_id``; one that is no connection ID falls back to the default connection's
        pool (``check_arguments`` refuses it right after)."""
        valid = isinstance(conn_id, str) and conn_id.strip()
        return pool_name(conn_id if valid else DEFAULT_CONN_ID, cls.pool_kind)

    def check_arguments(self) -> None:
        """Refuse, as the DAG is parsed, every argument that is wrong whatever the run; templated values
        are checked once rendered, before the first request. Subclasses extend it."""
        conn_id = self.peerclick_conn_id
        if not isinstance(conn_id, str) or not conn_id.strip() or is_templated(conn_id):
            # Not a template field: the connection picks the task's pool, which the scheduler needs long
            # before anything is rendered (map over accounts with expand() instead).
            raise PeerClickInvalidArgumentError(
                f"peerclick_conn_id: got {conn_id!r}; allowed: a connection ID such as 'peerclick_default' "
                "(not a template: the connection chooses the task's pool as the DAG is parsed)"
            )

    def finish_declaration(self) -> None:
        """What each constructor does last, once every argument is assigned: ``check_arguments``, and the
        outlets the arguments name (``plain_outlets``)."""
        self.check_arguments()
        self.outlets = [*self.outlets, *self.plain_outlets()]

    def plain_outlets(self) -> list[Any]:
        """The outlets the task's arguments name when they are plain values, added as it is declared:
        Asset-scheduled DAGs need them as the DAG is parsed, before anything is rendered. None here."""
        return []

    @classmethod
    def partial(cls, **kwargs: Any) -> Any:
        """As ``BaseOperator.partial``, with the PeerClick pool as default.

        A mapped task never runs ``__init__`` until it is expanded on a worker, long after the scheduler
        chose its pool, so the default set there would be lost. Mapping over accounts is checked as it
        is declared (``mapped_accounts``).
        """
        # Only DAG files that map a PeerClick task pay for importing the check (an attrs class).
        from airflow_provider_peerclick.utils.mapped_accounts import PeerClickOperatorPartial

        operator_partial = super().partial(**kwargs)  # type: ignore[misc]
        given = operator_partial.kwargs
        if "pool" not in given:  # partial() has merged every default_args into these already
            dag = given.get("dag")
            dag_conn = (dag.default_args or {}).get("peerclick_conn_id") if dag is not None else None
            conn_id = given.get("peerclick_conn_id", dag_conn or DEFAULT_CONN_ID)
            given["pool"] = cls.default_pool(conn_id)
        return PeerClickOperatorPartial.of(operator_partial)

    def keep_link(self, link: PeerClickLink, values: Mapping[str, Any]) -> None:
        """Keep ``link``'s URL for ``values`` (Airflow stores it as the task ends), when the connection
        has a template for it."""
        template = self.hook.settings.link_templates.get(link.setting)
        if template is not None:
            self.peerclick_links = {**self.peerclick_links, link.name: link.url(template, values)}

    @cached_property
    def hook(self) -> PeerClickHook:
        # Imported when a task runs: DAG files that declare tasks need none of the hook's machinery.
        """The task's hook, its budget sized to the pool slots the task holds."""
        from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

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


def check_required_now(value: Any, check: Callable[[Any], Any]) -> None:
    """As ``check_now``, for arguments that have no default: None is checked (and refused) too."""
    if not is_templated(value):
        check(value)
