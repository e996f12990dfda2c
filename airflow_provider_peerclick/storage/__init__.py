"""Landing PeerClick reports in object storage: row formats, staged partitions, manifests."""

from __future__ import annotations

from airflow_provider_peerclick.storage.destination import (
    asset_uri,
    check_destination_text,
    resolve_destination,
)
from airflow_provider_peerclick.storage.errors import PeerClickReconciliationError, PeerClickStorageError
from airflow_provider_peerclick.storage.landing import (
    LandedPartition,
    land_report,
    land_window,
    partition_key,
    partition_path,
)
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME
from airflow_provider_peerclick.storage.partitions import PartitionLayout, split_window
from airflow_provider_peerclick.storage.row_formats import ROW_FORMATS, require_row_format

__all__ = [
    "MANIFEST_NAME",
    "ROW_FORMATS",
    "LandedPartition",
    "PartitionLayout",
    "PeerClickReconciliationError",
    "PeerClickStorageError",
    "asset_uri",
    "check_destination_text",
    "land_report",
    "land_window",
    "partition_key",
    "partition_path",
    "require_row_format",
    "resolve_destination",
    "split_window",
]
