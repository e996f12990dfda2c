"""Campaigns and offers as one parametrised kind, so operators, sensors and triggers share one code path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_peerclick.exceptions import PeerClickAPIError, PeerClickError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.links import CAMPAIGN_LINK, OFFER_LINK, PeerClickLink

if TYPE_CHECKING:
    from airflow_provider_peerclick.hooks.peerclick import PeerClickHook

Entity = dict[str, Any]


@dataclass(frozen=True)
class EntityKind:
    """One PeerClick entity type, and the hook methods that list, get, create and update it, which are
    named after it (``list_campaigns``, ``get_campaign``, ...). By name, so that declaring a task needs no
    hook class."""

    name: str
    # The extra link to an entity of this kind.
    link: PeerClickLink = field(compare=False)

    @property
    def id_argument(self) -> str:
        """The argument that names an entity of this kind, e.g. ``campaign_id``."""
        return f"{self.name}_id"

    def list_all(self, hook: PeerClickHook) -> list[Entity]:
        """Every entity of this kind."""
        found: list[Entity] = getattr(hook, f"list_{self.name}s")()
        return found

    def get(self, hook: PeerClickHook, entity_id: int) -> Entity:
        """One entity by ID."""
        found: Entity = getattr(hook, f"get_{self.name}")(entity_id)
        return found

    def create(self, hook: PeerClickHook, body: Mapping[str, Any]) -> Entity:
        """Create an entity from ``body``."""
        created: Entity = getattr(hook, f"create_{self.name}")(body)
        return created

    def update(self, hook: PeerClickHook, entity_id: int, body: Mapping[str, Any]) -> Entity:
        """Replace an entity's fields with ``body``."""
        updated: Entity = getattr(hook, f"update_{self.name}")(entity_id, body)
        return updated


CAMPAIGN = EntityKind("campaign", CAMPAIGN_LINK)
OFFER = EntityKind("offer", OFFER_LINK)
KINDS = {kind.name: kind for kind in (CAMPAIGN, OFFER)}


def named(entities: list[Entity], name: str, *, include_archived: bool = False) -> list[Entity]:
    """The entities named ``name`` (archived ones only with ``include_archived``)."""
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
    return _the_one_named(kind.list_all(hook), kind, str(name))


async def afind(
    hook: PeerClickHook, kind: EntityKind, *, entity_id: Any = None, name: str | None = None
) -> Entity | None:
    """``find`` for a trigger."""
    if entity_id is not None:
        try:
            return await hook.aget_entity(kind.name, arguments.positive_id(entity_id, kind.id_argument))
        except PeerClickAPIError as exc:
            if exc.status == 404:
                return None
            raise
    return _the_one_named(await hook.alist_entities(kind.name), kind, str(name))


def _absent(exc: PeerClickAPIError) -> None:
    """None for a 404 (no such entity); any other refusal is raised again."""
    if exc.status != 404:
        raise exc
    return


def _the_one_named(entities: list[Entity], kind: EntityKind, name: str) -> Entity | None:
    matches = named(entities, name)
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
