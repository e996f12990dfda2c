"""What each request of `make demo` was for, from the emulator's request log (one JSON line a request)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pendulum

from airflow_provider_peerclick.hooks._arguments import MAX_PAGE_SIZE

TOKENS = "token exchanges"
POLLS = "sensor polls (summaries)"
LANDING = "landing pages (the run's day)"
CHECKS = "lookback checks (each is also a restated day's first page)"
RESTATED = "more pages of restated days"
ENTITIES = "campaign and offer lists"
SQL = "SQL table landing (the run's day and lookback checks)"
OTHER = "other"
PURPOSES = (TOKENS, POLLS, LANDING, CHECKS, RESTATED, ENTITIES, SQL, OTHER)


def purpose(line: dict[str, object], day: str | None) -> str:
    """``day``: the run's own day (YYYY-MM-DD), None outside the daily runs. A lookback check asks for a
    day's first page; a restated day's later pages follow from there."""
    path, query = str(line["path"]), parse_qs(str(line.get("query") or ""))
    if path == "/auth/access/session":
        return TOKENS
    if path in ("/campaign", "/offer"):
        return ENTITIES
    if path != "/report":
        return OTHER
    if query.get("limit") == ["1"]:
        return POLLS
    if query.get("from", ["?"])[0][:10] == day:
        return LANDING
    return CHECKS if query.get("offset", ["0"]) == ["0"] else RESTATED


class RequestLog:
    """The emulator's request log, read as the demo goes: ``mark(day)`` tags what came since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("")
        self._read = 0
        self.counts: Counter[str] = Counter()

    def mark(self, day: str | None, *, to_sql: bool = False) -> None:
        """``to_sql``: what came since was the SQL landing's; its report requests count apart from the
        file landing's, whose floor the manifests give."""
        lines = self.path.read_text().splitlines()
        for text in lines[self._read :]:
            named = purpose(json.loads(text), day)
            self.counts[SQL if to_sql and named not in (TOKENS, OTHER) else named] += 1
        self._read = len(lines)

    def lines(self) -> list[str]:
        return [f"{self.counts[name]:>4}  {name}" for name in PURPOSES if self.counts[name]]

    def floor(self, landing: Path, since: pendulum.DateTime) -> int:
        """The fewest requests that land what this run landed: each report partition version written since
        ``since`` read once, page by page, the entity lists it made, and one token."""
        pages = 0
        for manifest_path in landing.glob("*/*/_manifest.json"):
            manifest = json.loads(manifest_path.read_text())
            for version in [*manifest.get("history", []), manifest]:
                if pendulum.parse(version["fetched_at"]) >= since:
                    pages += max(1, math.ceil(version["row_count"] / MAX_PAGE_SIZE))
        return pages + self.counts[ENTITIES] + 1

    def total(self) -> int:
        """Every request but the SQL landing's (see ``mark``)."""
        return sum(count for name, count in self.counts.items() if name != SQL)
