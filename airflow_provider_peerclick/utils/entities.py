"""Campaigns and offers as one parametrised kind, so operators, sensors and triggers share one code path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_peerclick.exceptions import PeerClickAPIError, PeerClickError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

Entity = dict[str, Any]


@dataclass(frozen=True)
class EntityKind:
    """One PeerClick entity type and the hook methods that list, get, create and update it."""

    name: str
    list_all: Callable[[PeerClickHook], list[Entity]]
    get: Callable[[PeerClickHook, int], Entity]
    create: Callable[[PeerClickHook, Mapping[str, Any]], Entity]
    update: Callable[[PeerClickHook, int, Mapping[str, Any]], Entity]

    @property
    def id_argument(self) -> str:
        return f"{self.name}_id"


CAMPAIGN = EntityKind(
    "campaign",
    PeerClickHook.list_campaigns,
    PeerClickHook.get_campaign,
    PeerClickHook.create_campaign,
    PeerClickHook.update_campaign,
)
OFFER = EntityKind(
    "offer",
    PeerClickHook.list_offers,
    PeerClickHook.get_offer,
    PeerClickHook.create_offer,
    PeerClickHook.update_offer,
)
KINDS = {kind.name: kind for kind in (CAMPAIGN, OFFER)}


def named(entities: list[Entity], name: str, *, include_archived: bool = False) -> list[Entity]:
    return [
        entity
        for entity in entities
        if entity.get("name") == name and (include_archived or entity.get("status") != "ARCHIVED")
    ]


def find(
    hook: PeerClickHook, kind: EntityKind, *, entity_id: Any = None, name: str | None = None
) -> Entity | None:
    """The entity with this ID, or the one live entity with this name; None when there is none."""
    if entity_id is not None:
        try:
            return kind.get(hook, arguments.positive_id(entity_id, kind.id_argument))
        except PeerClickAPIError as exc:
            if exc.status == 404:
                return None
            raise
    matches = named(kind.list_all(hook), str(name))
    if len(matches) > 1:
        ids = ", ".join(str(entity.get("id")) for entity in matches)
        raise PeerClickError(
            f"{len(matches)} {kind.name}s are named {name!r} (IDs {ids}); pass an ID instead"
        )
    return matches[0] if matches else None


def merged(current: Mapping[str, Any], changes: Mapping[str, Any]) -> Entity:
    """``current`` with ``changes`` laid over it; nested objects (payout, country...) merge key by key."""
    result = dict(current)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result
