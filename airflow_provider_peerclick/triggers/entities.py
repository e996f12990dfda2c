"""PeerClickEntityTrigger: waits in the triggerer for a campaign or offer to exist or reach a status."""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick.hooks.peerclick import PeerClickHook
from airflow_provider_peerclick.triggers.base import PeerClickPollingTrigger
from airflow_provider_peerclick.utils import entities
from airflow_provider_peerclick.utils.observations import Observation, entity_observation


class PeerClickEntityTrigger(PeerClickPollingTrigger):
    """
    :param kind: "campaign" or "offer".
    :param entity_id: the entity's ID, or None to find it by ``name``.
    :param status: the status to wait for; None waits only for the entity to exist.
    """

    def __init__(
        self,
        *,
        kind: str,
        entity_id: int | None = None,
        name: str | None = None,
        status: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.entity_id = entity_id
        self.name = name
        self.status = status

    def specific_kwargs(self) -> dict[str, Any]:
        """What this trigger adds to the serialized arguments: the entity looked for."""
        return {"kind": self.kind, "entity_id": self.entity_id, "name": self.name, "status": self.status}

    async def observe(self, hook: PeerClickHook, previous: Any) -> Observation:
        """One look for the entity."""
        kind = entities.KINDS[self.kind]
        found = await entities.afind(hook, kind, entity_id=self.entity_id, name=self.name)
        return entity_observation(found, self.status)
