"""The ``_manifest.json`` of a landed partition: what was asked, what came back, and how to verify it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pendulum

from airflow_provider_peerclick import __version__
from airflow_provider_peerclick.arguments import ReportQuery

MANIFEST_VERSION = 2


def query_description(query: ReportQuery) -> dict[str, Any]:
    return {
        "group_by": query.group_by,
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "tz": query.tz,
        "columns": list(query.columns),
        "filters": dict(query.filters),
    }


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
) -> bytes:
    """
    The manifest as bytes. It holds no connection details: only the query, counts, totals and checksums.

    ``files`` entries have ``name``, ``rows``, ``bytes`` and ``sha256`` (of the file as stored).
    ``reconciliation`` says which additive columns were checked against the totals, and which were asked
    for but not returned by the API (so a reader knows a missing ``profit`` is PeerClick's, not ours).
    """
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "provider": "airflow-provider-peerclick",
        "provider_version": __version__,
        "fetched_at": fetched_at.in_timezone("UTC").isoformat(),
        "query": query_description(query),
        "partition": partition,
        "format": row_format,
        "columns": list(columns),
        "row_count": row_count,
        "totals": dict(totals),
        "reconciliation": {"reconciled": list(reconciled), "not_returned": list(not_returned)},
        "files": [dict(entry) for entry in files],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
