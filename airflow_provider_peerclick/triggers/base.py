"""The polling loop PeerClick triggers share, on the triggerer's event loop and never on its threads."""

from __future__ import annotations

import asyncio
import time
from abc import abstractmethod
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.utils.observations import Observation


class PeerClickPollingTrigger(BaseTrigger):
    """
    Poll PeerClick every ``poll_interval`` seconds until an observation is done or ``end_time`` passes.

    Fires one event: ``{"status": "done", "value", "state"}``, ``{"status": "timeout", "state"}`` or
    ``{"status": "error", "message"}``, each also with ``end_time`` for a sensor that defers again.
    Requests spend the rate budget of the ``pool_slots`` its sensor holds (``hook.budget``, a ``RateBudget``,
    as in the task itself) through the process-wide throttles, so all triggers of a triggerer together stay
    within it. They are sent with the hook's coroutines (httpx), and the wait for a place in the budget is
    awaited: the triggerer's shared thread pool is left to the other providers' triggers.
    """

    def __init__(
        self,
        *,
        peerclick_conn_id: str,
        pool_slots: int,
        poll_interval: float,
        end_time: float,
        previous: Any = None,
    ) -> None:
        super().__init__()
        self.peerclick_conn_id = peerclick_conn_id
        self.pool_slots = pool_slots
        self.poll_interval = poll_interval
        self.end_time = end_time
        self.previous = previous

    @abstractmethod
    async def observe(self, hook: PeerClickHook, previous: Any) -> Observation:
        """One poll."""

    @abstractmethod
    def specific_kwargs(self) -> dict[str, Any]:
        """The subclass's own constructor arguments, JSON only."""

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The trigger's class path and arguments, as the triggerer recreates it."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                **self.specific_kwargs(),
                "peerclick_conn_id": self.peerclick_conn_id,
                "pool_slots": self.pool_slots,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
                "previous": self.previous,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until done or ``end_time``, within the account's budget, yielding one event."""
        hook = PeerClickHook(self.peerclick_conn_id, pool_slots=self.pool_slots)
        try:
            await hook.aload_connection()
            self.log.info(
                "Polling PeerClick every %g s, within %s", self.poll_interval, hook.budget.describe()
            )
            previous = self.previous
            while True:
                if time.time() + self.poll_interval > self.end_time:
                    yield self._event(status="timeout", state=previous)
                    return
                # Sleep first: the sensor polled once just before deferring.
                await asyncio.sleep(self.poll_interval)
                seen = await self.observe(hook, previous)
                if seen.done:
                    yield self._event(status="done", value=seen.value, state=seen.state)
                    return
                previous = seen.state
        except Exception as exc:
            # The sensor turns this into a task failure; the message never holds the key or token.
            yield self._event(status="error", message=f"{type(exc).__name__}: {exc}")
        finally:
            await hook.aclose()

    def _event(self, **payload: Any) -> TriggerEvent:
        return TriggerEvent({**payload, "end_time": self.end_time})
