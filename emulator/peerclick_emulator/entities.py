"""Campaign and offer stores: seeded from the catalog, then changed by POST and PUT."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peerclick_emulator.catalog import TRACKING_DOMAIN, Catalog
from peerclick_emulator.errors import ApiError

STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")
SEEDED_CAMPAIGNS = 20
SEEDED_OFFERS = 10


class EntityError(ApiError):
    """A request about an entity that cannot be honoured."""


@dataclass(frozen=True)
class EntityKind:
    """What differs between campaigns and offers: names, required fields, how new ones are filled in."""

    singular: str  # "campaign": path segment and response key
    plural: str  # "campaigns": list response key
    label: str  # "Campaign": for descriptions
    required: tuple[str, ...]
    defaults: Callable[[int], dict[str, Any]]


CAMPAIGN = EntityKind(
    "campaign",
    "campaigns",
    "Campaign",
    ("name", "workspaceId"),
    lambda new_id: {"url": f"https://{TRACKING_DOMAIN}/{new_id}", "status": "ACTIVE"},
)
OFFER = EntityKind(
    "offer", "offers", "Offer", ("name", "workspaceId", "url"), lambda _new_id: {"status": "ACTIVE"}
)


class EntityStore:
    """One account's entities of one kind; ids of new entities start after every catalog id."""

    def __init__(self, kind: EntityKind, seeded: list[dict[str, Any]], first_new_id: int) -> None:
        self.kind = kind
        self._items = {item["id"]: item for item in seeded}
        self._next_id = first_new_id

    def __len__(self) -> int:
        return len(self._items)

    def list(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(item) for _, item in sorted(self._items.items())]

    def get(self, entity_id: int) -> dict[str, Any]:
        if entity_id not in self._items:
            raise EntityError(404, f"{self.kind.label} {entity_id} not found")
        return copy.deepcopy(self._items[entity_id])

    def create(self, body: Any) -> dict[str, Any]:
        fields = self._checked(body)
        entity_id = self._next_id
        self._next_id += 1
        item = {"id": entity_id, **self.kind.defaults(entity_id), **fields}
        self._items[entity_id] = item
        return copy.deepcopy(item)

    def update(self, entity_id: int, body: Any) -> dict[str, Any]:
        current = self.get(entity_id)
        merged = {**current, **self._checked(body, partial=True), "id": entity_id}
        self._checked(merged)
        self._items[entity_id] = merged
        return copy.deepcopy(merged)

    def _checked(self, body: Any, partial: bool = False) -> dict[str, Any]:
        """Return the writable fields of a request body, or raise a 400."""
        if not isinstance(body, dict):
            raise EntityError(400, f"{self.kind.label} body must be a JSON object")
        missing = [] if partial else [name for name in self.kind.required if body.get(name) in (None, "")]
        if missing:
            raise EntityError(400, f"{self.kind.label} is missing required fields: {', '.join(missing)}")
        _check_types(self.kind.label, body)
        return {key: copy.deepcopy(value) for key, value in body.items() if key != "id"}


def _check_types(label: str, body: dict[str, Any]) -> None:
    if "name" in body and not isinstance(body["name"], str):
        raise EntityError(400, f"{label} name must be a string")
    if "url" in body and not isinstance(body["url"], str):
        raise EntityError(400, f"{label} url must be a string")
    workspace = body.get("workspaceId")
    if "workspaceId" in body and (isinstance(workspace, bool) or not isinstance(workspace, int)):
        raise EntityError(400, f"{label} workspaceId must be an integer")
    if "status" in body and body["status"] not in STATUSES:
        raise EntityError(400, f"{label} status must be one of {', '.join(STATUSES)}")


@dataclass
class AccountEntities:
    campaigns: EntityStore
    offers: EntityStore

    @classmethod
    def seeded(cls, catalog: Catalog) -> AccountEntities:
        campaign_ids = range(1, min(catalog.campaign_count, SEEDED_CAMPAIGNS) + 1)
        offer_ids = range(1, min(catalog.offer_count, SEEDED_OFFERS) + 1)
        return cls(
            EntityStore(
                CAMPAIGN, [catalog.campaign_entity(c) for c in campaign_ids], catalog.campaign_count + 1
            ),
            EntityStore(OFFER, [catalog.offer_entity(o) for o in offer_ids], catalog.offer_count + 1),
        )

    def store(self, kind: EntityKind) -> EntityStore:
        return self.campaigns if kind is CAMPAIGN else self.offers
