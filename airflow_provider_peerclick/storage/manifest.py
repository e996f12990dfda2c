"""The ``_manifest.json`` of a landed partition: what was asked, what came back, and how to verify it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pendulum
from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick import __version__
from airflow_provider_peerclick.hooks._report_query import ReportQuery

MANIFEST_VERSION = 2
MANIFEST_NAME = "_manifest.json"
# Earlier versions a manifest remembers: enough for weeks of daily restatements, small enough to read.
HISTORY_LIMIT = 30


def build_manifest(
    *,
    query: ReportQuery,
    partition: str,
    row_format: str,
    columns: Sequence[str],
    row_count: int,
    totals: Mapping[str, Any],
    files: Sequence[Mapping[str, Any]],
    fetched_at: pendulum.DateTime,
    reconciled: Sequence[str] = (),
    not_returned: Sequence[str] = (),
    previous: Mapping[str, Any] | None = None,
    reason: str = "window",
) -> bytes:
    """
    The manifest as bytes. It holds no connection details: only the query, counts, totals and checksums.

    ``files`` entries have ``name``, ``rows``, ``bytes`` and ``sha256`` (of the file as stored).
    ``reconciliation`` says which additive columns were checked against the totals, and which were asked
    for but not returned by the API (so a reader knows a missing ``profit`` is PeerClick's, not ours).
    ``history`` lists the earlier versions of the partition (from ``previous``, the manifest replaced),
    oldest first, each with its ``fetched_at``, ``reason``, ``row_count`` and ``totals``; ``reason`` is
    ``window`` when the run's window asked for the partition, ``restated`` when a lookback found that
    PeerClick's totals had changed since.
    """
    return _manifest_bytes(
        fetched_at,
        query=query.to_json(),
        partition=partition,
        format=row_format,
        columns=list(columns),
        row_count=row_count,
        totals=dict(totals),
        reconciliation={"reconciled": list(reconciled), "not_returned": list(not_returned)},
        files=[dict(entry) for entry in files],
        reason=reason,
        history=history_of(previous),
    )


def build_snapshot_manifest(
    *,
    kind: str,
    partition: str,
    row_count: int,
    files: Sequence[Mapping[str, Any]],
    fetched_at: pendulum.DateTime,
) -> bytes:
    """The manifest of an entity snapshot (``storage.snapshot``): which entities, how many, and the files."""
    return _manifest_bytes(
        fetched_at,
        snapshot=kind,
        partition=partition,
        format="jsonl",
        row_count=row_count,
        files=[dict(entry) for entry in files],
    )


def _manifest_bytes(fetched_at: pendulum.DateTime, **fields: Any) -> bytes:
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "provider": "airflow-provider-peerclick",
        "provider_version": __version__,
        "fetched_at": fetched_at.in_timezone("UTC").isoformat(),
        **fields,
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def history_of(previous: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The history a new manifest carries: the replaced manifest's own history plus that manifest."""
    if not previous:
        return []
    earlier = [dict(entry) for entry in previous.get("history") or [] if isinstance(entry, Mapping)]
    replaced = {key: previous.get(key) for key in ("fetched_at", "reason", "row_count", "totals")}
    return [*earlier, replaced][-HISTORY_LIMIT:]


def named_files(manifest: Mapping[str, Any] | None) -> set[str]:
    """The data file names a manifest lists (names only: a manifest never points outside its folder)."""
    files = (manifest or {}).get("files") or []
    names = {str(entry.get("name", "")) for entry in files if isinstance(entry, Mapping)}
    return {name for name in names if name and "/" not in name}


def read_manifest(directory: ObjectStoragePath) -> dict[str, Any] | None:
    """The committed manifest of a partition folder, or None when there is none (or it is unreadable)."""
    path = directory / MANIFEST_NAME
    # s3fs caches listings per process; another process (a killed run, a rerun) may have written since.
    directory.fs.invalidate_cache(directory.path)
    try:
        manifest = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
