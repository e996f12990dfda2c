"""Fault switches: scripted failures served to the next matching API requests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from peerclick_emulator.errors import ApiError

AUTH_PREFIX = "/auth"
_KNOWN_KEYS = {
    "count",
    "path",
    "method",
    "status",
    "retry_after",
    "body",
    "latency",
    "drop",
    "malformed",
    "redirect",
    "redirect_status",
    "rate",
}
# A fault with a rate and no count stays for the emulator's life: the chaos harness's background faults.
UNLIMITED = 2**62
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class FaultSpecError(ApiError):
    """A fault request that cannot be served as asked."""

    def __init__(self, description: str) -> None:
        super().__init__(400, description)


@dataclass
class Fault:
    count: int = 1
    path: str | None = None
    method: str | None = None
    status: int | None = None
    retry_after: str | None = None
    body: Any = None
    latency: float = 0.0
    drop: bool = False
    malformed: bool = False
    redirect: str | None = None
    redirect_status: int | None = None  # None: 302
    # None: the next `count` matching requests. A share (0-1]: each matching request is hit with that
    # probability, so faults can be spread over a whole backfill rather than its first requests.
    rate: float | None = None

    @property
    def replaces_response(self) -> bool:
        """False for a pure delay: the request is processed normally and only answered late."""
        return self.drop or self.malformed or self.redirect is not None or self.status is not None

    def matches(self, method: str, api_path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        if self.path is None:
            return not api_path.startswith(AUTH_PREFIX)
        return api_path.startswith(self.path)

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if value not in (None, False)}


def _typed(spec: dict[str, Any], key: str, kinds: tuple[type, ...]) -> Any:
    value = spec.get(key)
    if value is None:
        return None
    # bool is an int subclass, yet `"status": true` is a typo rather than a status code.
    if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
        raise FaultSpecError(f"'{key}' has the wrong type")
    return value


def parse_fault(spec: Any) -> Fault:
    """Validate the JSON body of POST /__emulator__/faults."""
    if not isinstance(spec, dict):
        raise FaultSpecError("fault spec must be a JSON object")
    unknown = sorted(set(spec) - _KNOWN_KEYS)
    if unknown:
        raise FaultSpecError(f"unknown fault keys {unknown}; known: {sorted(_KNOWN_KEYS)}")
    count = _typed(spec, "count", (int,))
    status = _typed(spec, "status", (int,))
    latency = _typed(spec, "latency", (int, float))
    retry_after = _typed(spec, "retry_after", (str, int))
    rate = _typed(spec, "rate", (int, float))
    fault = Fault(
        count=(1 if rate is None else UNLIMITED) if count is None else count,
        path=_typed(spec, "path", (str,)),
        method=(_typed(spec, "method", (str,)) or "").upper() or None,
        status=status,
        retry_after=None if retry_after is None else str(retry_after),
        body=spec.get("body"),
        latency=float(latency or 0),
        drop=bool(_typed(spec, "drop", (bool,))),
        malformed=bool(_typed(spec, "malformed", (bool,))),
        redirect=_typed(spec, "redirect", (str,)),
        redirect_status=_typed(spec, "redirect_status", (int,)),
        rate=None if rate is None else float(rate),
    )
    _check(fault)
    return fault


def _check(fault: Fault) -> None:
    if fault.count < 1:
        raise FaultSpecError("'count' must be >= 1")
    if fault.status is not None and not 100 <= fault.status <= 599:
        raise FaultSpecError("'status' must be an HTTP status code")
    if fault.redirect_status is not None and (
        fault.redirect is None or fault.redirect_status not in REDIRECT_STATUSES
    ):
        raise FaultSpecError(f"'redirect_status' needs a 'redirect' and is one of {list(REDIRECT_STATUSES)}")
    if fault.rate is not None and not 0 < fault.rate <= 1:
        raise FaultSpecError("'rate' must be a share of matching requests, above 0 and at most 1")
    if fault.latency < 0:
        raise FaultSpecError("'latency' must be >= 0")
    if fault.path is not None and not fault.path.startswith("/"):
        raise FaultSpecError("'path' must start with '/', without the API version (e.g. '/report')")
    if (fault.retry_after is not None or fault.body is not None) and fault.status is None:
        raise FaultSpecError("'retry_after' and 'body' need a 'status'")
    if sum((fault.drop, fault.malformed, fault.redirect is not None, fault.status is not None)) > 1:
        raise FaultSpecError("choose one of 'status', 'drop', 'malformed', 'redirect'")
    if not fault.replaces_response and not fault.latency:
        raise FaultSpecError("a fault needs one of 'status', 'drop', 'malformed', 'redirect', 'latency'")


class FaultQueue:
    """Pending faults in the order they were added; each matching request consumes one use.

    Faults without a rate come first, in order. Then one draw per request picks among the matching
    faults with a rate, each taking its share, so shares add up (0.2 + 0.15 hit 35% of requests)."""

    def __init__(self, seed: int = 0) -> None:
        self._pending: list[Fault] = []
        self._draws = random.Random(seed)
        self.served = 0

    def reset(self) -> None:
        self._pending.clear()
        self.served = 0

    def clear(self) -> None:
        self._pending.clear()

    def add(self, fault: Fault) -> None:
        self._pending.append(fault)

    def pending(self) -> list[dict[str, Any]]:
        return [fault.as_dict() for fault in self._pending]

    def take(self, method: str, api_path: str) -> Fault | None:
        matching = [fault for fault in self._pending if fault.matches(method, api_path)]
        chosen = next((fault for fault in matching if fault.rate is None), None)
        if chosen is None and matching:
            draw, share = self._draws.random(), 0.0
            for fault in matching:
                share += fault.rate or 0.0
                if draw < share:
                    chosen = fault
                    break
        if chosen is None:
            return None
        chosen.count -= 1
        if chosen.count == 0:
            self._pending.remove(chosen)
        self.served += 1
        return chosen
