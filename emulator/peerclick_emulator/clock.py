"""The emulator's wall clock, which tests and the demo may set: late conversions depend on the date."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from peerclick_emulator.errors import ApiError


class Clock:
    """Real time, or a time set through ``POST /__emulator__/clock`` that then stands still."""

    def __init__(self) -> None:
        self._fixed: float | None = None

    def reset(self) -> None:
        self._fixed = None

    def now(self) -> float:
        return time.time() if self._fixed is None else self._fixed

    def set(self, body: Any) -> None:
        """``{"now": ISO-8601 with offset}``, ``{"advance": seconds}`` or ``{"now": null}`` (real time)."""
        if not isinstance(body, dict) or len(body) != 1 or not {"now", "advance"} >= set(body):
            raise ApiError(400, 'Body must be {"now": ISO-8601 or null} or {"advance": seconds}')
        if "advance" in body:
            step = body["advance"]
            if isinstance(step, bool) or not isinstance(step, int | float):
                raise ApiError(400, "'advance' must be a number of seconds")
            self._fixed = self.now() + step
            return
        if body["now"] is None:
            self._fixed = None
            return
        try:
            moment = datetime.fromisoformat(str(body["now"]))
        except ValueError:
            raise ApiError(400, f"'now' is not an ISO-8601 datetime: {body['now']!r}") from None
        if moment.tzinfo is None:
            raise ApiError(400, "'now' needs an offset, e.g. 2026-11-25T06:00:00+00:00")
        self._fixed = moment.timestamp()

    def describe(self) -> dict[str, Any]:
        now = self.now()
        return {"now": datetime.fromtimestamp(now, UTC).isoformat(), "fixed": self._fixed is not None}
