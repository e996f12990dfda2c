"""Two versions of one partition's report, and a reader that follows the manifest as a lake reader would."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from airflow.sdk import ObjectStoragePath

from airflow_provider_peerclick.hooks.peerclick import ReportPage, ReportQuery

QUERY = ReportQuery.build(
    start="2026-11-24", end="2026-11-25", group_by="campaign", columns=["visits", "clicks"]
)
PAGE_SIZE = 500


def rows(version: int, count: int = 2000) -> list[dict[str, Any]]:
    """Version 2 has more rows and other numbers, so a reader can tell which partition it saw."""
    count += 100 * version
    return [
        {"campaignId": n + 1, "campaignName": f"Campaign {n}", "visits": version * 10 + n, "clicks": n}
        for n in range(count)
    ]


def pages(version: int) -> list[ReportPage]:
    data = rows(version)
    totals = {"visits": sum(r["visits"] for r in data), "clicks": sum(r["clicks"] for r in data)}
    return [ReportPage(o, len(data), totals, data[o : o + PAGE_SIZE]) for o in range(0, len(data), PAGE_SIZE)]


def read_partition(directory: ObjectStoragePath) -> tuple[int, list[dict[str, Any]]]:
    """Follow the manifest: its files, each checked against its sha256. Returns (version, rows)."""
    directory.fs.invalidate_cache()
    manifest = json.loads((directory / "_manifest.json").read_bytes())
    data: list[dict[str, Any]] = []
    for entry in manifest["files"]:
        content = (directory / entry["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], (
            f"{entry['name']} is not what was committed"
        )
        data.extend(json.loads(line) for line in content.decode().splitlines())
    assert len(data) == manifest["row_count"]
    version = (data[0]["visits"] - 0) // 10
    assert data == rows(version), "the partition mixes versions"
    return version, data


def listing(directory: ObjectStoragePath) -> list[str]:
    directory.fs.invalidate_cache()
    return sorted(path.name for path in directory.iterdir())
