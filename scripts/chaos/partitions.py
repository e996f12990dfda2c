"""What a reader sees of a landing: each partition's committed rows, and the files beside them no manifest
names (a glob would read those too)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from airflow_provider_peerclick.storage.committed import committed_files
from airflow_provider_peerclick.storage.manifest import MANIFEST_NAME

# (account, group-by, day) -> the partition's rows, each as sorted JSON, in sorted order
Contents = dict[tuple[str, str, str], list[str]]


@dataclass(frozen=True)
class Landing:
    contents: Contents
    unnamed: list[Path]


def read_landing(
    base: Path, accounts: Sequence[str], group_bys: Sequence[str], days: Sequence[date]
) -> Landing:
    contents: Contents = {}
    unnamed: list[Path] = []
    for account in accounts:
        for group_by in group_bys:
            for day in days:
                folder = base / account / group_by / f"date={day.isoformat()}"
                named = _named(folder)
                rows = [
                    json.dumps(json.loads(line), sort_keys=True)
                    for path in sorted(named)
                    for line in path.read_text().splitlines()
                ]
                contents[(account, group_by, day.isoformat())] = sorted(rows)
                if folder.is_dir():
                    beside = {path for path in folder.iterdir() if path.name != MANIFEST_NAME}
                    unnamed += sorted(beside - named)
    return Landing(contents, unnamed)


def _named(folder: Path) -> set[Path]:
    if not folder.is_dir():
        return set()
    return {Path(found.path) for found in committed_files(str(folder))}


def changed(landing: Landing, clean: Landing) -> list[str]:
    """The partitions whose rows differ from the clean run's, or that are missing (no rows)."""
    return [
        "/".join(key) for key, rows in clean.contents.items() if not rows or landing.contents.get(key) != rows
    ]
