"""The shape PeerClick sensors share: poke with the hook, or defer to a trigger that polls the same way."""

from __future__ import annotations

import time
from abc import abstractmethod
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_peerclick.exceptions import PeerClickError, PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID
from airflow_provider_peerclick.utils.tasks import PeerClickTaskMixin
from airflow_provider_peerclick.version_compat import AirflowSensorTimeout, conf

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.triggers.base import PeerClickPollingTrigger
    from airflow_provider_peerclick.utils.observations import Observation
    from airflow_provider_peerclick.utils.task_arguments import SensorArguments

# Each poll costs at least one request from a budget of one per second per slot, shared with the
# trigger's neighbours in the triggerer; polling faster would only starve other tasks.
MIN_POKE_INTERVAL = 5.0
# A waiting sensor holds its pool slot (include_deferred), and the account's report pool has one: a
# sensor that waited Airflow's default 7 days would stall every report task of the account that long.
DEFAULT_TIMEOUT = timedelta(hours=6)
# Without a shared budget the pool's slots are the account's rate, and a deferred sensor keeps its slot
# through Airflow's round trip to the triggerer and back into a new worker process (about 20 s of idle
# budget per deferral under Celery, measured by `make scale`): a wait shorter than that is cheaper in the
# worker, which holds the same slot meanwhile.
INLINE_WAIT_SECONDS = 30.0


class PeerClickPollingSensor(PeerClickTaskMixin, BaseSensorOperator):
    """
    Base of the PeerClick sensors.

    :param deferrable: wait in the triggerer instead of holding a worker slot. Default: Airflow's
        ``[operators] default_deferrable``. The pool slot stays taken either way (``include_deferred``).
        Where the account has no shared budget (per-process budgets: the pool's slots are its rate), polls
        due within ``INLINE_WAIT_SECONDS`` (30 s) of the first are made from the worker before deferring,
        since a deferral's round trip would idle the slot longer than that.
    """

    default_poke_interval: ClassVar[float] = 60.0

    def __init__(
        self,
        *,
        peerclick_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Unpack[SensorArguments],
    ) -> None:
        kwargs.setdefault("poke_interval", self.default_poke_interval)
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        super().__init__(peerclick_conn_id=peerclick_conn_id, **kwargs)
        self.deferrable = deferrable
        self._previous: Any = None

    def check_arguments(self) -> None:
        """Also ``poke_interval`` (at least 5 s) and ``deferrable``."""
        super().check_arguments()
        if self.poke_interval < MIN_POKE_INTERVAL:
            raise PeerClickInvalidArgumentError(
                f"poke_interval: got {self.poke_interval!r}; allowed: at least {MIN_POKE_INTERVAL} seconds "
                "(every poll spends the account's rate budget)"
            )
        arguments.flag(self.deferrable, "deferrable")

    @abstractmethod
    def observe(self, context: Context, previous: Any) -> Observation:
        """One poll."""

    @abstractmethod
    def make_trigger(self, context: Context, previous: Any, end_time: float) -> PeerClickPollingTrigger:
        """The trigger that goes on polling from the triggerer."""

    def accepts(self, seen: Observation) -> bool:
        """Whether the wait is over; sensors with a user condition decide here."""
        return seen.done

    def poke(self, context: Context) -> PokeReturnValue:
        """One poll, remembering what it saw for the next."""
        seen = self.observe(context, self._previous)
        self._previous = seen.state
        return PokeReturnValue(is_done=self.accepts(seen), xcom_value=seen.value)

    def execute(self, context: Context) -> Any:
        """Poke as ``BaseSensorOperator`` does, or poll once and then defer to the trigger."""
        if not self.deferrable:
            return super().execute(context)
        end_time = time.time() + self._wait_limit()
        seen = self.poke(context)
        if not seen.is_done and not self.hook.budget.shared:
            seen = self._wait_in_worker(context, seen, min(end_time, time.time() + INLINE_WAIT_SECONDS))
        if seen.is_done:
            return seen.xcom_value
        self._defer(context, end_time)
        return None

    def _wait_in_worker(self, context: Context, seen: PokeReturnValue, until: float) -> PokeReturnValue:
        """After the poll that answered ``seen``, poll every ``poke_interval`` while the next poll is due by
        ``until``; the last poll's answer."""
        while not seen.is_done and time.time() + self.poke_interval <= until:
            time.sleep(self.poke_interval)
            seen = self.poke(context)
        return seen

    def _wait_limit(self) -> float:
        """Seconds the wait may take: ``timeout``, or ``execution_timeout`` when that is shorter."""
        limit = float(self.timeout)
        if self.execution_timeout is not None:
            limit = min(limit, self.execution_timeout.total_seconds())
        return limit

    def _defer(self, context: Context, end_time: float) -> None:
        # Airflow's own timeout too, so a trigger that stops reporting (a triggerer lost mid-wait) still
        # frees the pool slot at end_time instead of holding it indefinitely.
        self.defer(
            trigger=self.make_trigger(context, self._previous, end_time),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(1.0, end_time - time.time())),
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Where the task resumes after the trigger: the result, a timeout, an error, or a new wait."""
        status = event.get("status")
        if status == "error":
            raise PeerClickError(f"Polling PeerClick from the triggerer failed: {event.get('message')}")
        if status == "timeout":
            raise AirflowSensorTimeout(f"{self.task_id}: not done within timeout={self.timeout}s")
        if status != "done":
            raise PeerClickError(f"The trigger sent an event this sensor does not know: {event!r}")
        from airflow_provider_peerclick.utils.observations import Observation

        seen = Observation(done=True, state=event.get("state"), value=event.get("value"))
        if self.accepts(seen):
            return seen.value
        self._previous = seen.state
        self._defer(context, float(event["end_time"]))
        return None
