"""Extra links to the PeerClick panel: the campaign or offer a task read or wrote, the report of its window.

PeerClick publishes no routes for its panel, so each link is a URL template set on the connection
(``campaign_link``, ``offer_link``, ``report_link``): copy the address of a campaign page or a report
from the browser and put ``{id}``, ``{start_date}``... where its values were. Without one the task has
no such link.

Airflow 3 keeps a link as the URL itself: when the task ends, on its worker, Airflow asks ``get_link``
and stores the answer in XCom for the UI, so the API server never reads a connection or calls PeerClick.
The task works the URL out while it runs, from what it used (``PeerClickTaskMixin.keep_link``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

    from airflow_provider_peerclick.hooks._report_query import ReportQuery


class PeerClickLink(BaseOperatorLink):
    """A link whose URL the task kept as it ran; none (an empty link) when it kept none."""

    # The connection extra holding the URL template, and the placeholders it may use.
    setting: ClassVar[str]
    placeholders: ClassVar[tuple[str, ...]]

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """The URL ``operator`` kept for this link while it ran, or an empty string."""
        kept: Mapping[str, str] = getattr(operator, "peerclick_links", {})
        return kept.get(self.name, "")

    @classmethod
    def url(cls, template: str, values: Mapping[str, Any]) -> str:
        """``template`` with ``values`` filled in, each quoted for a URL."""
        return template.format_map({key: quote(str(value), safe="") for key, value in values.items()})


class PeerClickCampaignLink(PeerClickLink):
    """The campaign a task read, created, updated or waited for."""

    name = "PeerClick campaign"
    setting = "campaign_link"
    placeholders = ("id",)


class PeerClickOfferLink(PeerClickLink):
    """The offer a task read, created, updated or waited for."""

    name = "PeerClick offer"
    setting = "offer_link"
    placeholders = ("id",)


class PeerClickReportLink(PeerClickLink):
    """The report a task read or landed: its group-by over its window."""

    name = "PeerClick report"
    setting = "report_link"
    placeholders = ("group_by", "start", "end", "start_date", "end_date", "tz")

    @staticmethod
    def values(query: ReportQuery) -> dict[str, str]:
        """The placeholders' values for ``query``: ``start`` and ``end`` as ISO datetimes (``end``
        exclusive), ``start_date`` and ``end_date`` the first and last day it covers (both inclusive,
        as date pickers take them), in the account's time zone ``tz``."""
        last_hour = query.end.subtract(hours=1)
        return {
            "group_by": query.group_by,
            "start": query.start.isoformat(),
            "end": query.end.isoformat(),
            "start_date": query.start.to_date_string(),
            "end_date": last_hour.to_date_string(),
            "tz": query.tz,
        }


LINKS = (PeerClickCampaignLink, PeerClickOfferLink, PeerClickReportLink)
CAMPAIGN_LINK, OFFER_LINK, REPORT_LINK = (link() for link in LINKS)


def template_problem(link: type[PeerClickLink], template: Any) -> str | None:
    """What makes ``template`` unusable for ``link``, or None."""
    allowed = ", ".join("{" + name + "}" for name in link.placeholders)
    if not isinstance(template, str) or not template.startswith(("https://", "http://")):
        return f"must be an http(s) URL template such as https://panel.example/x/{{{link.placeholders[0]}}}"
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        return f"is not a URL template ({exc}); write a literal brace as {{{{ or }}}}"
    unknown = sorted({field for field in fields if field not in link.placeholders})
    if unknown:
        return f"uses {', '.join('{' + name + '}' for name in unknown)}; allowed: {allowed}"
    return None
