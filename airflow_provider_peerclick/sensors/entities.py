"""PeerClickCampaignSensor and PeerClickOfferSensor: wait for an entity to exist or reach a status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.hooks import _arguments as arguments
from airflow_provider_peerclick.links import CAMPAIGN_LINK, OFFER_LINK
from airflow_provider_peerclick.sensors.base import PeerClickPollingSensor
from airflow_provider_peerclick.utils.entities import CAMPAIGN, OFFER, EntityKind
from airflow_provider_peerclick.utils.tasks import check_now

if TYPE_CHECKING:
    from typing import Unpack

    from airflow.sdk import Context

    from airflow_provider_peerclick.triggers.entities import PeerClickEntityTrigger
    from airflow_provider_peerclick.utils.observations import Observation
    from airflow_provider_peerclick.utils.task_arguments import PeerClickSensorArguments


class PeerClickEntitySensor(PeerClickPollingSensor):
    """
    Wait until an entity, given by ID or by name (exactly one), exists, and has ``status`` if given
    (ACTIVE, PAUSED or ARCHIVED). Returns the entity. Runs in the ``peerclick_api`` pool by default.
    """

    kind: ClassVar[EntityKind]
    template_fields = ("entity_id", "name", "status")
    pool_kind = "api"
    default_poke_interval = 30.0

    def __init__(
        self,
        *,
        entity_id: int | str | None = None,
        name: str | None = None,
        status: str | None = None,
        **kwargs: Unpack[PeerClickSensorArguments],
    ) -> None:
        super().__init__(**kwargs)
        self.entity_id = entity_id
        self.name = name
        self.status = status
        self.finish_declaration()

    def check_arguments(self) -> None:
        """Also that exactly one of the ID and ``name`` is given, and ``status``."""
        super().check_arguments()
        if (self.entity_id is None) == (self.name is None):
            raise PeerClickInvalidArgumentError(
                f"{self.kind.id_argument}, name: got {self.entity_id!r} and {self.name!r}; allowed: exactly "
                "one of them"
            )
        check_now(self.entity_id, lambda given: arguments.positive_id(given, self.kind.id_argument))
        check_now(self.status, arguments.entity_status)

    def _target(self) -> dict[str, Any]:
        entity_id = self.entity_id
        if entity_id is not None:
            entity_id = arguments.positive_id(entity_id, self.kind.id_argument)
        status = arguments.entity_status(self.status) if self.status is not None else None
        return {"entity_id": entity_id, "name": self.name, "status": status}

    def accepts(self, seen: Observation) -> bool:
        """Done when the entity is there (with the status asked for); its extra link is kept then."""
        if not super().accepts(seen):
            return False
        self.keep_link(self.kind.link, {"id": seen.value.get("id")})
        return True

    def observe(self, context: Context, previous: Any) -> Observation:
        """One look for the entity."""
        from airflow_provider_peerclick.utils.observations import observe_entity

        return observe_entity(self.hook, self.kind.name, **self._target())

    def make_trigger(self, context: Context, previous: Any, end_time: float) -> PeerClickEntityTrigger:
        # Imported when the sensor defers, as the report sensor's is.
        """The trigger that goes on looking from the triggerer."""
        from airflow_provider_peerclick.triggers.entities import PeerClickEntityTrigger

        return PeerClickEntityTrigger(
            kind=self.kind.name,
            **self._target(),
            peerclick_conn_id=self.peerclick_conn_id,
            pool_slots=self.pool_slots,
            poll_interval=self.poke_interval,
            end_time=end_time,
            previous=previous,
        )


class PeerClickCampaignSensor(PeerClickEntitySensor):
    """Wait until a campaign, by ``campaign_id`` or ``name``, exists (and has ``status``, if given)."""

    kind = CAMPAIGN
    operator_extra_links = (CAMPAIGN_LINK,)

    def __init__(
        self,
        *,
        campaign_id: int | str | None = None,
        name: str | None = None,
        status: str | None = None,
        **kwargs: Unpack[PeerClickSensorArguments],
    ) -> None:
        super().__init__(entity_id=campaign_id, name=name, status=status, **kwargs)


class PeerClickOfferSensor(PeerClickEntitySensor):
    """Wait until an offer, by ``offer_id`` or ``name``, exists (and has ``status``, if given)."""

    kind = OFFER
    operator_extra_links = (OFFER_LINK,)

    def __init__(
        self,
        *,
        offer_id: int | str | None = None,
        name: str | None = None,
        status: str | None = None,
        **kwargs: Unpack[PeerClickSensorArguments],
    ) -> None:
        super().__init__(entity_id=offer_id, name=name, status=status, **kwargs)
