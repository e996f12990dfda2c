"""What each request of `make demo` was for, from the emulator's request log (one JSON line a request)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

PURPOSES = (
    "token exchanges",
    "sensor polls (summaries)",
    "landing pages (the run's day)",
    "lookback checks (each is also a restated day's first page)",
    "more pages of restated days",
    "campaign and offer lists",
    "other",
)


def purpose(line: dict[str, object], day: str | None) -> str:
    """``day``: the run's own day (YYYY-MM-DD), None outside the daily runs. A lookback check asks for a
    day's first page; a restated day's later pages follow from there."""
    path, query = str(line["path"]), parse_qs(str(line.get("query") or ""))
    if path == "/auth/access/session":
        return PURPOSES[0]
    if path in ("/campaign", "/offer"):
        return PURPOSES[5]
    if path != "/report":
        return PURPOSES[6]
    if query.get("limit") == ["1"]:
        return PURPOSES[1]
    if query.get("from", ["?"])[0][:10] == day:
        return PURPOSES[2]
    return PURPOSES[3] if query.get("offset", ["0"]) == ["0"] else PURPOSES[4]


class RequestLog:
    """The emulator's request log, read as the demo goes: ``mark(day)`` tags what came since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("")
        self._read = 0
        self.counts: Counter[str] = Counter()

    def mark(self, day: str | None) -> None:
        lines = self.path.read_text().splitlines()
        for text in lines[self._read :]:
            self.counts[purpose(json.loads(text), day)] += 1
        self._read = len(lines)

    def lines(self) -> list[str]:
        return [f"{self.counts[name]:>4}  {name}" for name in PURPOSES if self.counts[name]]
