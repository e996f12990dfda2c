"""Which pool the running Airflow task holds, and whether a PeerClick hook may spend its budget there.

The pools are half of the rate budget (see ``pools``): a task outside them, such as a mapped task that
lost its default pool or a ``@task`` that builds a hook itself, runs on top of the budget and can push
the account over PeerClick's limits. So the hook looks at the task it runs in and refuses a pool that is
not one of its connection's PeerClick pools. Outside a task (scripts, notebooks, the triggerer, whose
sensor was checked before it deferred) there is nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError
from airflow_provider_peerclick.pools import is_peerclick_pool, pool_name, pool_names


@dataclass(frozen=True)
class TaskPool:
    task_id: str
    pool: str
    slots: int

    def check(self, conn_id: str, *, shared_budget: bool, reports: bool = False) -> None:
        """Raise unless this task may call ``conn_id``'s account (``reports``: ``/report`` too).

        Without a shared budget, report requests are held to PeerClick's 1/s only by the reports pool
        having one slot, so they must come from it. With one (host-local or Redis), the budget alone
        keeps the rate and pools bound only concurrency: any PeerClick pool will do, so tasks mapped
        over accounts, which all get one pool, each spend their own account's budget.
        """
        if shared_budget and is_peerclick_pool(self.pool):
            return
        allowed = pool_names(conn_id)
        needed = pool_name(conn_id, "reports") if reports and not shared_budget else None
        if self.pool in allowed and needed in (None, self.pool):
            return
        fix = repr(needed) if needed else " or ".join(repr(name) for name in allowed)
        raise PeerClickConnectionConfigError(
            f"Task {self.task_id!r} runs in pool {self.pool!r}, which does not keep PeerClick connection "
            f"{conn_id!r} within its rate limits. Give the task pool={fix} (created by `peerclick-pools "
            f"create --conn-id {conn_id}`), or pass check_pool=False to PeerClickHook if something else "
            "bounds how many such tasks run at once."
        )


def running_task_pool() -> TaskPool | None:
    """The pool of the Airflow task this code runs in, or None outside a task."""
    try:
        from airflow.sdk import get_current_context

        task = get_current_context()["ti"].task
    except (ImportError, RuntimeError, KeyError, AttributeError):
        return None
    return TaskPool(task_id=task.task_id, pool=str(task.pool), slots=int(task.pool_slots or 1))
