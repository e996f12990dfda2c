"""Session tokens kept per process, so every hook of one account reuses one token until near expiry."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

# Renew this long before expiry (capped at a tenth of the lifetime) so a token never dies mid-request.
RENEW_MARGIN_SECONDS = 300.0


@dataclass(frozen=True, repr=False)
class SessionToken:
    value: str
    expires_at: float  # time.time() seconds
    lifetime: float

    def __repr__(self) -> str:
        return f"SessionToken(expires_at={self.expires_at!r})"

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - min(RENEW_MARGIN_SECONDS, self.lifetime / 10)


class TokenCache:
    """Thread-safe: callers that need a token at the same moment share one exchange."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: dict[Hashable, SessionToken] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._sends: dict[Hashable, int] = {}
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, asyncio.Lock]]
        self._async_locks = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()

    def get(self, key: Hashable, exchange: Callable[[], SessionToken]) -> SessionToken:
        with self._lock_for(key):
            token = self._tokens.get(key)
            if token is None or not token.fresh(self._clock()):
                token = self._tokens[key] = exchange()
            return token

    async def aget(self, key: Hashable, exchange: Callable[[], Awaitable[SessionToken]]) -> SessionToken:
        """``get`` for coroutines: those of one event loop that need a token at once share one exchange,
        and wait for it without holding a thread."""
        loop = asyncio.get_running_loop()
        with self._guard:
            lock = self._async_locks.setdefault(loop, {}).setdefault(key, asyncio.Lock())
        async with lock:
            token = self.peek(key)
            if token is None:
                token = await exchange()
                with self._guard:
                    self._tokens[key] = token
            return token

    def peek(self, key: Hashable) -> SessionToken | None:
        """The token for ``key`` if it is still fresh, without exchanging one (a request's last check
        before it leaves, after its throttle wait)."""
        with self._guard:
            token = self._tokens.get(key)
        return token if token is not None and token.fresh(self._clock()) else None

    def count_send(self, key: Hashable) -> None:
        """Note that a request left with ``key``'s token (see :meth:`sends`)."""
        with self._guard:
            self._sends[key] = self._sends.get(key, 0) + 1

    def sends(self, key: Hashable) -> int:
        """How many requests left with ``key``'s tokens in this process: while it grows, the tokens
        live long enough for the queue to move, however often they lapse in it."""
        with self._guard:
            return self._sends.get(key, 0)

    def discard(self, key: Hashable, token: SessionToken) -> None:
        """Forget ``token`` after PeerClick refused it, unless another thread already replaced it."""
        with self._lock_for(key):
            if self._tokens.get(key) is token:
                del self._tokens[key]

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()

    def _lock_for(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


tokens = TokenCache()
