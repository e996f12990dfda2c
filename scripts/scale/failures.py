"""
The failures DAG (scripts/scale/dags/peerclick_failures.py), run beside the backfill for the secret scan.

Checked afterwards: each task failed after one retry, and the exception the task runner handed to
``on_failure_callback`` on each try kept its type and fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts.scale.scenario import FAILURES_DAG_ID, MISSING_CAMPAIGN_ID

TRIES = 2  # retries=1
EXPECTED: dict[str, dict[str, Any]] = {
    "missing_campaign": {
        "type": "PeerClickAPIError",
        "status": 404,
        "method": "GET",
        "path": f"/campaign/{MISSING_CAMPAIGN_ID}",
    },
    "wrong_key": {
        "type": "PeerClickAuthError",
        "status": 401,
        "method": "POST",
        "path": "/auth/access/session",
    },
}


def check(records_file: Path, tries: Mapping[str, tuple[str, int]]) -> list[str]:
    """Problems with the failures DAG's run: task states from the database, exceptions from the file."""
    records = _records(records_file)
    problems = []
    for task_id, fields in EXPECTED.items():
        name = f"{FAILURES_DAG_ID}.{task_id}"
        state, tried = tries.get(task_id, ("not run", 0))
        if (state, tried) != ("failed", TRIES):
            problems.append(f"{name}: {state} after {tried} tries; expected failed after {TRIES}")
        seen = [record for record in records if record["task_id"] == task_id]
        if len(seen) != TRIES:
            problems.append(
                f"{name}: on_failure/on_retry_callback saw {len(seen)} exceptions, expected {TRIES}"
            )
        for record in seen:
            changed = {key: record.get(key) for key, value in fields.items() if record.get(key) != value}
            if changed:
                problems.append(
                    f"{name} try {record['try_number']}: exception had {changed}, expected {fields}"
                )
    return problems


def describe(records_file: Path) -> list[str]:
    """One line per failed try: what a user reads in the task log, secrets aside."""
    records = _records(records_file)
    return [f"{r['task_id']} try {r['try_number']}: {r['type']}: {r['message']}" for r in records]


def _records(records_file: Path) -> list[dict[str, Any]]:
    """The callback's lines; none when no task failed at all."""
    if not records_file.exists():
        return []
    return [json.loads(line) for line in records_file.read_text().splitlines()]
