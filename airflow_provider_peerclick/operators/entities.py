"""List, get, create and update campaigns and offers: one base per action, parametrised by the entity kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_peerclick.exceptions import (
    PeerClickError,
    PeerClickInvalidArgumentError,
    PeerClickRedirectError,
    PeerClickServerError,
    PeerClickTransportError,
)
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.links import CAMPAIGN_LINK, OFFER_LINK
from airflow_provider_peerclick.pools import DEFAULT_CONN_ID
from airflow_provider_peerclick.utils import entities
from airflow_provider_peerclick.utils.entities import CAMPAIGN, OFFER, Entity, EntityKind
from airflow_provider_peerclick.utils.tasks import PeerClickTaskMixin, check_now, check_required_now
from airflow_provider_peerclick.version_compat import AirflowFailException

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.utils.task_arguments import PeerClickTaskArguments, TaskArguments


class PeerClickEntityOperator(PeerClickTaskMixin, BaseOperator):
    """Base of the campaign and offer operators; runs in the ``peerclick_api`` pool by default."""

    kind: ClassVar[EntityKind]
    pool_kind = "api"
    template_fields: tuple[str, ...] = ()

    def __init__(self, *, peerclick_conn_id: str = DEFAULT_CONN_ID, **kwargs: Unpack[TaskArguments]) -> None:
        super().__init__(peerclick_conn_id=peerclick_conn_id, **kwargs)

    def linked(self, entity: Entity) -> Entity:
        """``entity``, its extra link kept."""
        self.keep_link(self.kind.link, {"id": entity.get("id")})
        return entity


class PeerClickListEntitiesOperator(PeerClickEntityOperator):
    """
    Return every entity of the kind as a list of dicts, optionally only those in ``statuses``.

    XCom is for small values: more than ``max_entities`` entities (after the status filter) fail the task,
    after its one request. Land big lists in storage instead (``storage.snapshot.land_snapshot``, as the
    ``peerclick_entities_snapshot`` example DAG does).
    """

    template_fields = ("statuses",)
    # As the report operator's max_rows: a list of this many entities is tens of kilobytes in XCom.
    default_max_entities = 1000

    def __init__(
        self,
        *,
        statuses: list[str] | None = None,
        max_entities: int = default_max_entities,
        **kwargs: Unpack[PeerClickTaskArguments],
    ) -> None:
        super().__init__(**kwargs)
        self.statuses = statuses
        self.max_entities = max_entities
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also ``statuses`` and ``max_entities``."""
        super().check_arguments()
        check_now(self.statuses, arguments.entity_statuses)
        arguments.positive_int(self.max_entities, "max_entities")

    def execute(self, context: Context) -> list[Entity]:
        """List the entities (one request), keep those in ``statuses``, fail past ``max_entities``."""
        statuses = None if self.statuses is None else arguments.entity_statuses(self.statuses)
        found = self.kind.list_all(self.hook)
        if statuses:
            found = [entity for entity in found if entity.get("status") in statuses]
        self.log.info("Found %d %ss", len(found), self.kind.name)
        if len(found) > self.max_entities:
            # Failing (not retrying): the same list comes back on every try.
            raise AirflowFailException(
                f"PeerClick returned {len(found)} {self.kind.name}s, more than max_entities="
                f"{self.max_entities} for XCom; raise max_entities, filter by statuses, or land them in "
                "storage with airflow_provider_peerclick.storage.snapshot.land_snapshot (see the "
                "peerclick_entities_snapshot example DAG)"
            )
        return found


class PeerClickGetEntityOperator(PeerClickEntityOperator):
    """Return one entity by ID."""

    template_fields = ("entity_id",)

    def __init__(self, *, entity_id: int | str, **kwargs: Unpack[PeerClickTaskArguments]) -> None:
        super().__init__(**kwargs)
        self.entity_id = entity_id
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also the entity ID."""
        super().check_arguments()
        check_required_now(self.entity_id, lambda given: arguments.positive_id(given, self.kind.id_argument))

    def execute(self, context: Context) -> Entity:
        """Return the entity (one request)."""
        entity_id = arguments.positive_id(self.entity_id, self.kind.id_argument)
        return self.linked(self.kind.get(self.hook, entity_id))


class PeerClickCreateEntityOperator(PeerClickEntityOperator):
    """
    Create an entity from ``body`` and return it (with its new ``id``).

    :param reuse_existing_by_name: first look for a live (not archived) entity named ``body["name"]`` and
        return it instead of creating a second one, so an Airflow retry after a lost answer is safe.
    """

    template_fields = ("body",)

    def __init__(
        self,
        *,
        body: Mapping[str, Any],
        reuse_existing_by_name: bool = False,
        **kwargs: Unpack[PeerClickTaskArguments],
    ) -> None:
        super().__init__(**kwargs)
        self.body = body
        self.reuse_existing_by_name = reuse_existing_by_name
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also ``body``, and ``reuse_existing_by_name`` (which needs a name in it)."""
        super().check_arguments()
        arguments.flag(self.reuse_existing_by_name, "reuse_existing_by_name")
        check_required_now(self.body, self._checked_body)

    def _checked_body(self, body: Any) -> dict[str, Any]:
        checked = arguments.entity_body(body)
        if self.reuse_existing_by_name and not isinstance(checked.get("name"), str):
            raise PeerClickInvalidArgumentError(
                f"body: got {body!r}; allowed: a mapping with a 'name' (reuse_existing_by_name finds by it)"
            )
        return checked

    def execute(self, context: Context) -> Entity:
        """Create the entity, or with ``reuse_existing_by_name`` return the live one of that name."""
        body = self._checked_body(self.body)
        if self.reuse_existing_by_name:
            existing = entities.find(self.hook, self.kind, name=body["name"])
            if existing is not None:
                self.log.info("Reusing %s %s named %r", self.kind.name, existing.get("id"), body["name"])
                return self.linked(existing)
        try:
            created = self.kind.create(self.hook, body)
        except (PeerClickServerError, PeerClickTransportError, PeerClickRedirectError) as exc:
            if self.reuse_existing_by_name or not _outcome_unknown(exc, self.kind):
                raise
            # An Airflow retry would send the create again and could make a duplicate.
            raise AirflowFailException(_check_first(exc, self.kind, body.get("name"))) from exc
        self.log.info("Created %s %s", self.kind.name, created.get("id"))
        return self.linked(created)


def _outcome_unknown(exc: PeerClickError, kind: EntityKind) -> bool:
    """Whether the create itself was sent and may have been done (a 5xx, a lost answer, a redirect)."""
    sent = (getattr(exc, "method", None), getattr(exc, "path", None)) == ("POST", f"/{kind.name}")
    return sent and (not isinstance(exc, PeerClickTransportError) or exc.may_have_reached_server)


def _check_first(exc: PeerClickError, kind: EntityKind, name: Any) -> str:
    article = "an" if kind.name[0] in "aeiou" else "a"
    what = f"{article} {kind.name} named {name!r}" if isinstance(name, str) else f"the new {kind.name}"
    return (
        f"{exc}. PeerClick may have created the {kind.name} anyway, so this task is failed without Airflow "
        f"retries: check in PeerClick whether {what} exists before running it again (with "
        f"reuse_existing_by_name=True a retry finds it by name instead of creating a second one)."
    )


class PeerClickUpdateEntityOperator(PeerClickEntityOperator):
    """
    Merge ``body`` into an entity and return the updated entity: e.g. ``{"status": "PAUSED"}``,
    ``{"url": ...}`` or ``{"payout": {"value": 2.5}}`` (nested objects merge key by key).

    The entity is read first; when nothing would change, nothing is sent.
    """

    template_fields = ("entity_id", "body")

    def __init__(
        self, *, entity_id: int | str, body: Mapping[str, Any], **kwargs: Unpack[PeerClickTaskArguments]
    ) -> None:
        super().__init__(**kwargs)
        self.entity_id = entity_id
        self.body = body
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also the entity ID and ``body`` (a status in it must be one PeerClick knows)."""
        super().check_arguments()
        check_required_now(self.entity_id, lambda given: arguments.positive_id(given, self.kind.id_argument))
        check_required_now(self.body, _changes)

    def execute(self, context: Context) -> Entity:
        """Read the entity, merge ``body`` into it, and send it only when something changes."""
        entity_id = arguments.positive_id(self.entity_id, self.kind.id_argument)
        changes = _changes(self.body)
        current = self.kind.get(self.hook, entity_id)
        wanted = entities.merged(current, changes)
        if wanted == current:
            self.log.info("%s %d already has these values; nothing sent", self.kind.name, entity_id)
            return self.linked(current)
        updated = self.kind.update(self.hook, entity_id, wanted)
        if updated.get("id") not in (None, entity_id):
            raise PeerClickError(
                f"PeerClick answered the update of {self.kind.name} {entity_id} with another ID"
            )
        self.log.info("Updated %s %d: %s", self.kind.name, entity_id, sorted(changes))
        return self.linked(updated)


def _changes(body: Any) -> dict[str, Any]:
    changes = arguments.entity_body(body)
    if "status" in changes:
        arguments.entity_status(changes["status"], "body['status']")
    return changes


class PeerClickListCampaignsOperator(PeerClickListEntitiesOperator):
    """Return every campaign, optionally only those in ``statuses``."""

    kind = CAMPAIGN


class PeerClickListOffersOperator(PeerClickListEntitiesOperator):
    """Return every offer, optionally only those in ``statuses``."""

    kind = OFFER


class PeerClickGetCampaignOperator(PeerClickGetEntityOperator):
    """Return the campaign ``campaign_id``."""

    kind = CAMPAIGN
    operator_extra_links = (CAMPAIGN_LINK,)

    def __init__(self, *, campaign_id: int | str, **kwargs: Unpack[PeerClickTaskArguments]) -> None:
        super().__init__(entity_id=campaign_id, **kwargs)


class PeerClickGetOfferOperator(PeerClickGetEntityOperator):
    """Return the offer ``offer_id``."""

    kind = OFFER
    operator_extra_links = (OFFER_LINK,)

    def __init__(self, *, offer_id: int | str, **kwargs: Unpack[PeerClickTaskArguments]) -> None:
        super().__init__(entity_id=offer_id, **kwargs)


class PeerClickCreateCampaignOperator(PeerClickCreateEntityOperator):
    """Create a campaign from ``body`` and return it."""

    kind = CAMPAIGN
    operator_extra_links = (CAMPAIGN_LINK,)


class PeerClickCreateOfferOperator(PeerClickCreateEntityOperator):
    """Create an offer from ``body`` and return it."""

    kind = OFFER
    operator_extra_links = (OFFER_LINK,)


class PeerClickUpdateCampaignOperator(PeerClickUpdateEntityOperator):
    """Merge ``body`` into the campaign ``campaign_id`` and return it."""

    kind = CAMPAIGN
    operator_extra_links = (CAMPAIGN_LINK,)

    def __init__(
        self, *, campaign_id: int | str, body: Mapping[str, Any], **kwargs: Unpack[PeerClickTaskArguments]
    ) -> None:
        super().__init__(entity_id=campaign_id, body=body, **kwargs)


class PeerClickUpdateOfferOperator(PeerClickUpdateEntityOperator):
    """Merge ``body`` into the offer ``offer_id`` and return it."""

    kind = OFFER
    operator_extra_links = (OFFER_LINK,)

    def __init__(
        self, *, offer_id: int | str, body: Mapping[str, Any], **kwargs: Unpack[PeerClickTaskArguments]
    ) -> None:
        super().__init__(entity_id=offer_id, body=body, **kwargs)
