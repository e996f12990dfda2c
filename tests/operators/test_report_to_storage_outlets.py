"""What the storage operator declares when the DAG file is parsed: no emulator, no requests."""

from __future__ import annotations

import pytest
from airflow.sdk import Asset, ObjectStoragePath

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.operators.report import PeerClickReportToStorageOperator


def make(**arguments):
    return PeerClickReportToStorageOperator(task_id="land", **{"group_by": "offer", **arguments})


def test_a_plain_destination_declares_its_asset():
    operator = make(destination="s3://lake_conn@bucket/peerclick")
    assert operator.outlets == [Asset("s3://bucket/peerclick/offer")]
    assert operator.pool == "peerclick_reports"


def test_an_object_storage_path_destination_declares_its_asset():
    operator = make(destination=ObjectStoragePath("file:///data/peerclick"))
    assert operator.outlets == [Asset("file:///data/peerclick/offer")]


def test_outlets_given_by_the_user_are_kept():
    mine = Asset("warehouse://peerclick/offers")
    operator = make(destination="file:///data/peerclick", outlets=[mine])
    assert operator.outlets == [mine, Asset("file:///data/peerclick/offer")]


def test_a_templated_destination_declares_nothing():
    assert make(destination="s3://bucket/{{ params.env }}/peerclick").outlets == []


def test_plain_arguments_are_checked_when_the_dag_is_parsed():
    with pytest.raises(PeerClickInvalidArgumentError, match="format: got 'xlsx'"):
        make(destination="file:///data", format="xlsx")
    with pytest.raises(PeerClickInvalidArgumentError, match="page_size"):
        make(destination="file:///data", page_size=20_000)
    with pytest.raises(PeerClickInvalidArgumentError, match="group_by"):
        make(destination="file:///data", group_by="planet")


def test_a_single_asset_as_outlets_is_accepted():
    mine = Asset("warehouse://peerclick/offers")
    operator = make(destination="file:///data/peerclick", outlets=mine)
    assert operator.outlets == [mine, Asset("file:///data/peerclick/offer")]
    assert make(destination="s3://bucket/{{ ds }}", outlets=mine).outlets == [mine]
