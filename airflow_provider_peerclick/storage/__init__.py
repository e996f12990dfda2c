"""Landing PeerClick reports in object storage: row formats, staged partitions, manifests.

Names load from their modules on first use (PEP 562): a DAG file that imports one operator parses without
the landing machinery, and the checks its arguments need come from small modules of their own.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_peerclick.storage.committed import committed_files
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
    )
    from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME
    from airflow_provider_peerclick.storage.partitions import PartitionLayout, split_window
    from airflow_provider_peerclick.storage.row_formats import ROW_FORMATS, require_row_format

_HOMES = {
    "committed_files": "committed",
    "asset_uri": "destination",
    "check_destination_text": "destination",
    "resolve_destination": "destination",
    "PeerClickReconciliationError": "errors",
    "PeerClickStorageError": "errors",
    "LandedPartition": "landing",
    "land_report": "landing",
    "land_window": "landing",
    "partition_key": "landing",
    "MANIFEST_NAME": "manifest",
    "PartitionLayout": "partitions",
    "split_window": "partitions",
    "ROW_FORMATS": "row_formats",
    "require_row_format": "row_formats",
}

__all__ = [
    "MANIFEST_NAME",
    "ROW_FORMATS",
    "LandedPartition",
    "PartitionLayout",
    "PeerClickReconciliationError",
    "PeerClickStorageError",
    "asset_uri",
    "check_destination_text",
    "committed_files",
    "land_report",
    "land_window",
    "partition_key",
    "require_row_format",
    "resolve_destination",
    "split_window",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
