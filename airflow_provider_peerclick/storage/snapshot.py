"""Land a snapshot of PeerClick entities (campaigns, offers) as one JSON Lines file per day."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pendulum
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.storage.landing import LandedPartition
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME, build_snapshot_manifest
from airflow_provider_peerclick.storage.staged_partition import StagedPartition


def land_snapshot(
    entities: Iterable[Mapping[str, Any]], *, base: ObjectStoragePath, kind: str, ds: str
) -> LandedPartition:
    """Write ``{base}/{kind}/date={ds}/part-{run}-0000.jsonl`` sorted by id, replacing that day's snapshot."""
    directory = base / kind / f"date={ds}"
    ordered = sorted(entities, key=lambda entity: entity.get("id", 0))
    with StagedPartition(directory) as staged:
        with staged.open_part("0000.jsonl") as sink:
            for entity in ordered:
                sink.write((json.dumps(entity, sort_keys=True, ensure_ascii=False) + "\n").encode())
        files = [staged.file_entry("0000.jsonl", sink, len(ordered))]
        staged.commit(
            build_snapshot_manifest(
                kind=kind,
                partition=f"date={ds}",
                row_count=len(ordered),
                files=files,
                fetched_at=pendulum.now("UTC"),
            )
        )
    return LandedPartition(
        path=str(directory),
        manifest=str(directory / MANIFEST_NAME),
        format="jsonl",
        row_count=len(ordered),
        totals={},
        files=files,
    )
