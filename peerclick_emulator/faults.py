"""Fault switches: scripted failures served to the next matching API requests."""

from __future__ import annotations

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
}
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
    fault = Fault(
        count=1 if count is None else count,
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
    """Pending faults in the order they were added; each matching request consumes one use."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []
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
        for fault in self._pending:
            if fault.matches(method, api_path):
                fault.count -= 1
                if fault.count == 0:
                    self._pending.remove(fault)
                self.served += 1
                return fault
        return None
