from __future__ import annotations

import importlib.util

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.exceptions import PeerClickInvalidArgumentError
from airflow_provider_peerclick.storage import asset_uri, resolve_destination
from airflow_provider_peerclick.storage import destination as destination_module


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ("file:///data/peerclick", "file:///data/peerclick/campaign"),
        ("file:///data/peerclick/", "file:///data/peerclick/campaign"),
        ("/data/peerclick", "file:///data/peerclick/campaign"),
        ("s3://bucket/prefix", "s3://bucket/prefix/campaign"),
        ("s3://aws_lake@bucket/prefix", "s3://bucket/prefix/campaign"),
        (ObjectStoragePath("file:///data/peerclick"), "file:///data/peerclick/campaign"),
        ("s3://bucket/{{ ds }}", None),
        ("relative/path", None),
    ],
)
def test_asset_uri_is_worked_out_from_the_text(destination, expected):
    assert asset_uri(destination, "campaign") == expected


def test_no_asset_for_a_templated_group_by():
    assert asset_uri("s3://bucket/prefix", "{{ params.group_by }}") is None


def test_a_local_destination_may_not_exist_yet(tmp_path):
    path = resolve_destination(f"file://{tmp_path}/new/deeper")
    assert path.path == f"{tmp_path}/new/deeper"
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("relative/lake", "must be an absolute path"),
        ("", "allowed: a local folder or object store URL"),
        (None, "allowed: a local folder or object store URL"),
        ("nosuchscheme://bucket/x", "no filesystem for scheme 'nosuchscheme'"),
    ],
)
def test_unusable_destinations_are_refused(destination, message):
    with pytest.raises(PeerClickInvalidArgumentError, match=message):
        resolve_destination(destination)


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "lake").write_text("")
    with pytest.raises(PeerClickInvalidArgumentError, match="is a file, not a folder"):
        resolve_destination(f"{tmp_path}/lake/peerclick")


def test_an_unwritable_folder_is_refused(tmp_path, monkeypatch):
    # Tests may run as root, for whom every folder is writable: fake the permission check instead.
    monkeypatch.setattr(destination_module.os, "access", lambda path, mode: False)
    with pytest.raises(PeerClickInvalidArgumentError, match=f"folder {tmp_path} is not writable"):
        resolve_destination(f"file://{tmp_path}/lake")


def test_a_scheme_without_its_airflow_provider_names_what_to_install():
    # The dev extras bring the Amazon provider (for the S3 tests); Google's stands for any that is missing.
    assert importlib.util.find_spec("airflow.providers.google") is None
    with pytest.raises(
        PeerClickInvalidArgumentError, match=r"no filesystem for scheme 'gs'.*install the Airflow"
    ):
        resolve_destination("gs://bucket/prefix")
