"""The list operators put entity lists into XCom: capped, like the report operator's rows."""

from __future__ import annotations

import pytest

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.entities import (
    PeerClickListCampaignsOperator,
    PeerClickListOffersOperator,
)
from airflow_provider_peerclick.version_compat import AirflowFailException


@pytest.fixture
def connected(emulator, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_PEERCLICK_DEFAULT", emulator.process.connection_json())
    return emulator


def test_more_entities_than_max_entities_fail_with_where_to_put_them(connected):
    operator = PeerClickListCampaignsOperator(task_id="listed", max_entities=5)
    with pytest.raises(AirflowFailException, match=r"20 campaigns, more than max_entities=5.*land_snapshot"):
        operator.execute({})  # type: ignore[arg-type]
    assert connected.stats()["refused"] == 0


def test_the_cap_counts_what_would_go_to_xcom_after_the_status_filter(connected):
    offers = PeerClickListOffersOperator(task_id="listed", max_entities=10).execute({})  # type: ignore[arg-type]
    assert len(offers) == 10
    paused = PeerClickListCampaignsOperator(task_id="paused", statuses=["PAUSED"], max_entities=1)
    assert paused.execute({}) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -3, "10", True])
def test_max_entities_is_checked_when_the_dag_is_parsed(bad):
    with pytest.raises(PeerClickInvalidArgumentError, match="max_entities"):
        PeerClickListCampaignsOperator(task_id="listed", max_entities=bad)
