"""Tasks mapped over PeerClick accounts: refused while the DAG is parsed where no shared budget exists.

A mapped task gets one pool for every map index, chosen before the account of an index is known, so
tasks mapped over ``peerclick_conn_id`` all run in one pool. With a shared budget (host-local or Redis)
that is right: the pool only bounds concurrency and each task spends its own account's budget. With
per-process budgets the pools' sizes are the rate, and the hook would refuse every such task when it
runs; a DAG that can never succeed is refused here instead, as it is parsed, naming the fixes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from airflow.sdk.definitions.mappedoperator import OperatorPartial

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError
from airflow_provider_peerclick.hooks._deployment import budget_mode

CONN_ID_ARGUMENT = "peerclick_conn_id"


@attrs.define(kw_only=True, repr=False)
class PeerClickOperatorPartial(OperatorPartial):
    """``partial()`` of a PeerClick operator: ``expand`` and ``expand_kwargs`` check the accounts first."""

    @classmethod
    def of(cls, partial: OperatorPartial) -> PeerClickOperatorPartial:
        """This partial for the one ``BaseOperator.partial`` made."""
        mine = cls(operator_class=partial.operator_class, kwargs=partial.kwargs, params=partial.params)
        partial._expand_called = True  # replaced, not forgotten: no "never mapped" warning for it
        return mine

    def _expand(self, expand_input: Any, *, strict: bool) -> Any:
        try:
            check_mapped_accounts(str(self.kwargs.get("task_id")), mapped_conn_ids(expand_input.value))
        except PeerClickConnectionConfigError:
            self._expand_called = True  # refused, which says more than "never mapped"
            raise
        return OperatorPartial._expand(self, expand_input, strict=strict)


def mapped_conn_ids(value: Any) -> list[str]:
    """The connection IDs a task is mapped over, where the DAG file lists them (not from an XCom)."""
    if isinstance(value, Mapping):
        listed = value.get(CONN_ID_ARGUMENT)
        if isinstance(listed, list | tuple):
            return [conn_id for conn_id in listed if isinstance(conn_id, str)]
        return []
    if isinstance(value, list | tuple):
        found = (item.get(CONN_ID_ARGUMENT) for item in value if isinstance(item, Mapping))
        return [conn_id for conn_id in found if isinstance(conn_id, str)]
    return []


def check_mapped_accounts(task_id: str, conn_ids: Sequence[str]) -> None:
    """Refuse a task mapped over accounts that no budget shared by every process keeps apart."""
    accounts = list(dict.fromkeys(conn_ids))
    if len(accounts) < 2 or budget_mode() == "host":
        return
    unshared = [conn_id for conn_id in accounts if not _names_a_store(conn_id)]
    if not unshared:
        return
    names = "names" if len(unshared) == 1 else "name"
    raise PeerClickConnectionConfigError(
        f"Task {task_id!r} is mapped over PeerClick connections {', '.join(map(repr, accounts))}, but "
        "each process keeps its own rate budget here (Airflow's executor runs tasks on several hosts, or "
        f"[peerclick] budget = process) and {', '.join(map(repr, unshared))} {names} no "
        "'rate_limit_store': mapped tasks all run in one pool, "
        "which cannot keep each account within its own limits without a budget every process shares. "
        "Give those connections a Redis 'rate_limit_store', set [peerclick] budget = host if every task "
        "runs on this host, or declare one task per account (each then takes its account's pools)."
    )


def _names_a_store(conn_id: str) -> bool:
    """Whether the connection names a store; True where it cannot be read now (the hook checks again
    when the task runs)."""
    from airflow_provider_peerclick.version_compat import BaseHook  # a mapped DAG's parse only

    try:
        extra = BaseHook.get_connection(conn_id).extra_dejson
    except Exception:  # not defined where the DAG is parsed, or no access: nothing to say yet
        return True
    return bool(isinstance(extra, Mapping) and extra.get("rate_limit_store"))
