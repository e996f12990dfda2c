"""``peerclick://`` Assets, through Airflow itself: the provider's ``asset-uris`` are what checks,
normalises and names them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from airflow.sdk import Asset

from airflow_provider_peerclick.assets import create_asset
from airflow_provider_peerclick.hooks._report_query import ReportQuery
from airflow_provider_peerclick.utils.lineage import ReportLineage


def test_airflow_normalises_a_peerclick_asset_through_the_provider():
    asset = Asset("peerclick://API.PeerClick.com/AKID%201/report/campaign/?ignored=1")
    assert asset.uri == "peerclick://api.peerclick.com/AKID%201/report/campaign"


@pytest.mark.parametrize(
    "uri",
    [
        "peerclick:///AKID/report/campaign",  # no host
        "peerclick://api.peerclick.com/AKID/report/week",  # no such group-by
        "peerclick://api.peerclick.com/AKID/campaign",  # not a report
        "peerclick://api.peerclick.com//report/offer",  # no access key ID
        "peerclick://api.peerclick.com/AKID/report/offer/2026-11-24",
    ],
)
def test_a_uri_that_names_no_report_is_refused_naming_the_form(uri):
    with pytest.raises(ValueError, match="names a report of one account") as refused:
        Asset(uri)
    assert "peerclick://api.peerclick.com/<access key ID>/report/campaign" in str(refused.value)
    assert "traffic-source" in str(refused.value)  # the group-bys allowed


def test_the_factory_makes_what_airflow_keeps_as_it_is():
    asset = create_asset(access_key_id="AK/1 x", group_by="traffic-source", host="api.peerclick.com:8443")
    assert asset.uri == "peerclick://api.peerclick.com:8443/AK%2F1%20x/report/traffic-source"
    assert Asset(asset.uri).uri == asset.uri


def test_openlineage_names_the_asset_as_the_report_tasks_name_what_they_read():
    from airflow.providers.openlineage.utils.utils import translate_airflow_asset

    query = ReportQuery.build(start="2026-11-24", end="2026-11-25", group_by="offer", tz="UTC")
    read = ReportLineage.of(SimpleNamespace(account=("api.peerclick.com", "AK/1")), query)  # type: ignore[arg-type]
    dataset = translate_airflow_asset(create_asset(access_key_id="AK/1", group_by="offer"), None)
    assert dataset is not None
    assert (dataset.namespace, dataset.name) == (read.namespace, f"report/{read.group_by}")
