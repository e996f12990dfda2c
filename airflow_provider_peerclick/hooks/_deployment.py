"""Which rate budget a connection without a ``rate_limit_store`` spends, from the deployment's shape.

Where every Airflow process runs on one host (LocalExecutor, ``airflow standalone``, ``airflow dags
test``, scripts), a folder on local disk can hold one exact budget for all of them (``_local_store``),
and pools then bound only how many tasks run at once. Where the executor runs tasks on several hosts
(Celery, Kubernetes, Edge, ...), a host-local folder would give each host a budget of its own and
together they would exceed PeerClick's limits: that needs Redis, so without one each process keeps its
own budget and the pools' sizes are the rate (see ``pools``). The shape is read from Airflow's configured
executor and never guessed to be one host; a user who knows better says so:

``[peerclick] budget``
    ``auto`` (default): ``host`` when every configured executor runs tasks on this host, else ``process``.
    ``host``: the host-local budget, whatever the executor. ``process``: one budget per process.
``[peerclick] local_budget_dir``
    The host-local budget's folder, also the host's token cache: ``$AIRFLOW_HOME/peerclick`` by default,
    which every Airflow process of one deployment shares. Set it to one folder for two deployments on
    one host that use the same account.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from airflow_provider_peerclick.exceptions import PeerClickConnectionConfigError

BudgetMode = Literal["host", "process"]
BUDGET_MODES = ("auto", "host", "process")
# Executors whose tasks all run on the host of the scheduler that started them.
ONE_HOST_EXECUTORS = frozenset({"LocalExecutor", "SequentialExecutor", "DebugExecutor"})
_SECTION = "peerclick"


def budget_mode() -> BudgetMode:
    """``host`` or ``process``, from ``[peerclick] budget`` and, for ``auto``, the configured executor."""
    mode = _setting("budget", "auto").strip().lower()
    if mode not in BUDGET_MODES:
        raise PeerClickConnectionConfigError(
            f"[peerclick] budget (AIRFLOW__PEERCLICK__BUDGET) is {mode!r}; allowed: {', '.join(BUDGET_MODES)}"
        )
    if mode != "auto":
        return "host" if mode == "host" else "process"
    return "host" if runs_on_one_host(_executors()) else "process"


def runs_on_one_host(executors: str) -> bool:
    """Whether every executor in Airflow's ``[core] executor`` (a comma-separated list of class names,
    module paths or ``alias:path`` entries) runs its tasks on this host."""
    names = [entry.strip().rsplit(":", 1)[-1].rsplit(".", 1)[-1] for entry in executors.split(",")]
    names = [name for name in names if name]
    return bool(names) and all(name in ONE_HOST_EXECUTORS for name in names)


def local_store_url() -> str:
    """The ``file:`` URL of the host-local store's folder."""
    folder = _setting("local_budget_dir", "")
    if not folder:
        home = os.environ.get("AIRFLOW_HOME") or os.path.join("~", "airflow")
        folder = os.path.join(home, "peerclick")
    return Path(folder).expanduser().absolute().as_uri()


def _executors() -> str:
    return _setting("executor", "LocalExecutor", section="core")


def _setting(key: str, default: str, *, section: str = _SECTION) -> str:
    """A setting as Airflow reads it (airflow.cfg or ``AIRFLOW__SECTION__KEY``)."""
    try:
        from airflow.configuration import conf
    except ImportError:  # a script without Airflow's core: only the environment says anything
        return os.environ.get(f"AIRFLOW__{section.upper()}__{key.upper()}", default)
    return str(conf.get(section, key, fallback=default))
