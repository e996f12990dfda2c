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

import asyncio
import base64
import fcntl
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_STATE_SUFFIX = ".json"
_LOCK_SUFFIX = ".lock"
# A key's lock is held for a file read and write: a millisecond is long.
_LOCK_POLL_SECONDS = 0.001


class LocalStore:
    """The part of Redis's API the budget and the token cache use, kept in ``directory``.

    :param blocking: wait for a key's lock that another process holds; else raise ``BlockingIOError``
        (``AsyncLocalStore`` waits for it on the event loop instead).
    """

    def __init__(self, directory: str | os.PathLike[str], *, blocking: bool = True) -> None:
        self.directory = Path(directory)
        self._lock_mode = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB

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

    def take(
        self, key: str, limit: int, period: float, lease: float, member: str, patience: float, in_line: float
    ) -> float:
        """0 when ``member`` took a place, else seconds to wait (-1: every place is in flight). Places go
        in the order their waiters first asked; one that stopped asking ``patience`` ago leaves the line,
        and ``in_line`` is the wait while the free places are for those ahead."""
        with self._locked(key) as state:
            now = time.time()
            in_flight, answered, waiting = _window(state)
            # A holder that died never answers: once its lease is over, count it as answered then.
            for holder, deadline in list(in_flight.items()):
                if deadline <= now:
                    answered[holder] = deadline
                    del in_flight[holder]
            for holder, at in list(answered.items()):
                if at <= now - period:
                    del answered[holder]
            for waiter, (_, last_asked) in list(waiting.items()):
                if last_asked <= now - patience:
                    del waiting[waiter]
            free = limit - len(in_flight) - len(answered)
            line = sorted(waiting, key=lambda waiter: (waiting[waiter][0], waiter))  # Redis's ZRANK order
            ahead = line.index(member) if member in waiting else len(line)
            if free > ahead:
                in_flight[member] = now + lease
                waiting.pop(member, None)
                return 0.0
            waiting[member] = [waiting.get(member, [now])[0], now]
            if free > 0:
                return in_line
            return min(answered.values()) + period - now if answered else -1.0

    def give_back(self, key: str, member: str) -> None:
        """``member``'s request was answered: it counts for one more period from now."""
        with self._locked(key) as state:
            in_flight, answered, _ = _window(state)
            if in_flight.pop(member, None) is not None:  # a lapsed lease was moved by ``take``: keep it
                answered[member] = time.time()

    def return_unused(self, key: str, member: str) -> None:
        """``member``'s request was not sent: its place leaves the window without counting."""
        with self._locked(key) as state:
            _window(state)[0].pop(member, None)

    def leave_line(self, key: str, member: str) -> None:
        """``member`` stopped waiting: the places it was in line for go to those behind it at once."""
        with self._locked(key) as state:
            _window(state)[2].pop(member, None)

    # -- files ------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self, key: str) -> Iterator[dict[str, Any]]:
        """The state of ``key``, exclusively; written back if the block changed it and did not raise."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = hashlib.sha256(key.encode()).hexdigest()[:40]
        path = self.directory / (name + _STATE_SUFFIX)
        descriptor = os.open(self.directory / (name + _LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, self._lock_mode)
            state = _read(path)
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                _write(path, state)
        finally:
            os.close(descriptor)  # releases the lock


class AsyncLocalStore:
    """``LocalStore``'s commands as coroutines. A key's lock is held only while its small file is read and
    replaced, so the commands run on the loop; a lock held by another process is waited for with
    ``asyncio.sleep``, never ``flock``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._store = LocalStore(directory, blocking=False)

    async def get(self, key: str) -> bytes | None:
        return await _unlocked(self._store.get, key)

    async def set(self, key: str, value: bytes | str, *, nx: bool = False, px: int | None = None) -> bool:
        return await _unlocked(partial(self._store.set, nx=nx, px=px), key, value)

    async def delete(self, key: str) -> None:
        await _unlocked(self._store.delete, key)

    async def take(
        self, key: str, limit: int, period: float, lease: float, member: str, patience: float, in_line: float
    ) -> float:
        return await _unlocked(self._store.take, key, limit, period, lease, member, patience, in_line)

    async def give_back(self, key: str, member: str) -> None:
        await _unlocked(self._store.give_back, key, member)

    async def return_unused(self, key: str, member: str) -> None:
        await _unlocked(self._store.return_unused, key, member)

    async def leave_line(self, key: str, member: str) -> None:
        await _unlocked(self._store.leave_line, key, member)


async def _unlocked(command: Callable[..., T], *args: Any) -> T:
    while True:
        try:
            return command(*args)
        except BlockingIOError:
            await asyncio.sleep(_LOCK_POLL_SECONDS)


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


def _window(state: dict[str, Any]) -> tuple[dict[str, float], dict[str, float], dict[str, list[float]]]:
    """The places in flight (member: lease deadline) and answered (member: answer time), and the line of
    those waiting (member: [first asked, last asked]), in ``state``."""
    in_flight = state.setdefault("in_flight", {})
    answered = state.setdefault("answered", {})
    waiting = state.setdefault("waiting", {})
    return in_flight, answered, waiting
