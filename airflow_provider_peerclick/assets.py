"""``peerclick://`` Assets: a report of one PeerClick account, for a DAG to declare as an inlet or to schedule
on, named as the provider's OpenLineage events name the report they read.

The URI is ``peerclick://{API host}/{access key ID}/report/{group_by}``, e.g.
``peerclick://api.peerclick.com/AKID123/report/campaign``. Airflow finds these functions through the
provider's ``asset-uris`` (``get_provider_info``): it checks and normalises every ``peerclick://`` Asset
with ``sanitize_uri``, and the OpenLineage provider names it with ``convert_asset_to_openlineage``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, quote, urlsplit

from airflow_provider_peerclick.hooks._arguments import GROUP_BY

if TYPE_CHECKING:
    from airflow.providers.common.compat.openlineage.facet import Dataset as OpenLineageDataset
    from airflow.sdk import Asset

SCHEME = "peerclick"
DEFAULT_HOST = "api.peerclick.com"
EXAMPLE = f"{SCHEME}://{DEFAULT_HOST}/<access key ID>/report/campaign"


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Refuse a ``peerclick://`` URI that names no report, and give the rest one spelling: the host in
    lower case, no query."""
    parts = uri.path.strip("/").split("/")
    names_a_report = len(parts) == 3 and bool(parts[0]) and parts[1] == "report" and parts[2] in GROUP_BY
    if not (uri.hostname and names_a_report):
        raise ValueError(
            f"A {SCHEME}:// Asset URI names a report of one account: got {uri.geturl()!r}; allowed: "
            f"{EXAMPLE} with group_by one of {', '.join(GROUP_BY)}"
        )
    host = uri.hostname + (f":{uri.port}" if uri.port else "")
    return uri._replace(netloc=host, path="/" + "/".join(parts), query="")


def report_uri(host: str, access_key_id: str, group_by: str) -> str:
    """The URI of ``group_by`` reports of one account: its API host and access key ID."""
    return f"{SCHEME}://{host}/{quote(access_key_id, safe='')}/report/{group_by}"


def create_asset(*, access_key_id: str, group_by: str, host: str = DEFAULT_HOST, extra: Any = None) -> Asset:
    """The Asset of ``group_by`` reports of the account whose access key ID is ``access_key_id``."""
    from airflow.sdk import Asset

    uri = report_uri(host, access_key_id, group_by)
    return Asset(uri=uri, extra=extra) if extra is not None else Asset(uri=uri)


def convert_asset_to_openlineage(asset: Asset, lineage_context: Any) -> OpenLineageDataset:
    """The OpenLineage dataset of a ``peerclick://`` Asset: the namespace and name the report tasks' own
    lineage gives the report they read."""
    from airflow.providers.common.compat.openlineage.facet import Dataset as OpenLineageDataset

    parsed = urlsplit(asset.uri)
    access_id, _, group_by = parsed.path.strip("/").split("/")
    return OpenLineageDataset(namespace=f"{SCHEME}://{parsed.netloc}/{access_id}", name=f"report/{group_by}")
