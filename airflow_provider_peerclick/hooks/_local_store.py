"""A rate-limit store in a folder on local disk: the host-local budget and token cache.

Every process of one host (task processes, the triggerer, scripts) opens the same files, so they share
one window per account exactly, as Redis shares it across hosts. Each key is one small JSON file,
replaced atomically (``os.replace``) while its own lock file is held with ``flock``:

- the kernel releases a lock whose holder died, so a killed task never wedges the others, and a kill
  mid-update leaves the old state or the new one, never half of one;
- no server, no schema and no busy-timeout to tune (SQLite would bring all three for a state of at most
  three places per key, changed a few times a second);
- the wall clock (``time.time``) is the one clock, as Redis's ``TIME`` is across hosts: every process of a
  host reads the same one.

The folder is created private to its user (0700) and tokens are kept in it encrypted (see
``_shared_tokens``). ``flock`` is advisory and local: a folder on NFS or shared between containers is not
one host, and is what Redis is for.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_STATE_SUFFIX = ".json"
_LOCK_SUFFIX = ".lock"


class LocalStore:
    """The part of Redis's API the budget and the token cache use, kept in ``directory``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    # -- keys and values (``SharedTokens``) ----------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        with self._locked(key) as state:
            return _live_value(state)

    def set(self, key: str, value: bytes | str, *, nx: bool = False, px: int | None = None) -> bool:
        """Store ``value`` (for ``px`` milliseconds); with ``nx``, only where no live value is kept."""
        with self._locked(key) as state:
            if nx and _live_value(state) is not None:
                return False
            data = value.encode() if isinstance(value, str) else value
            state.clear()
            state["value"] = base64.b64encode(data).decode()
            state["expires_at"] = time.time() + px / 1000 if px else None
            return True

    def delete(self, key: str) -> None:
        with self._locked(key) as state:
            state.clear()

    # -- windows (``_rate_store.StoreThrottle``): the same rules as the Redis scripts there --------

    def take(self, key: str, limit: int, period: float, lease: float, member: str) -> float:
        """0 when ``member`` took a place, else seconds to wait (-1: every place is in flight)."""
        with self._locked(key) as state:
            now = time.time()
            in_flight, answered = _window(state)
            # A holder that died never answers: once its lease is over, count it as answered then.
            for holder, deadline in list(in_flight.items()):
                if deadline <= now:
                    answered[holder] = deadline
                    del in_flight[holder]
            for holder, at in list(answered.items()):
                if at <= now - period:
                    del answered[holder]
            if len(in_flight) + len(answered) < limit:
                in_flight[member] = now + lease
                return 0.0
            return min(answered.values()) + period - now if answered else -1.0

    def give_back(self, key: str, member: str) -> None:
        """``member``'s request was answered: it counts for one more period from now."""
        with self._locked(key) as state:
            in_flight, answered = _window(state)
            if in_flight.pop(member, None) is not None:  # a lapsed lease was moved by ``take``: keep it
                answered[member] = time.time()

    def return_unused(self, key: str, member: str) -> None:
        """``member``'s request was not sent: its place leaves the window without counting."""
        with self._locked(key) as state:
            _window(state)[0].pop(member, None)

    # -- files ------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self, key: str) -> Iterator[dict[str, Any]]:
        """The state of ``key``, exclusively; written back if the block changed it and did not raise."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = hashlib.sha256(key.encode()).hexdigest()[:40]
        path = self.directory / (name + _STATE_SUFFIX)
        descriptor = os.open(self.directory / (name + _LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            state = _read(path)
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                _write(path, state)
        finally:
            os.close(descriptor)  # releases the lock


def _read(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # only a disk fault garbles a file that is replaced whole: start it anew
    return state if isinstance(state, dict) else {}


def _write(path: Path, state: dict[str, Any]) -> None:
    if not state:
        path.unlink(missing_ok=True)
        return
    staged = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(staged, path)


def _live_value(state: dict[str, Any]) -> bytes | None:
    value = state.get("value")
    expires_at = state.get("expires_at")
    if not isinstance(value, str) or (expires_at is not None and expires_at <= time.time()):
        return None
    return base64.b64decode(value)


def _window(state: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """The places in flight (member: lease deadline) and answered (member: answer time), in ``state``."""
    in_flight = state.setdefault("in_flight", {})
    answered = state.setdefault("answered", {})
    return in_flight, answered
