"""A throttle whose window is kept in a store, so every process that uses the store shares one budget.

The store is Redis (every process of every deployment that names it) or a folder on local disk
(``_local_store``: every process of one host).

Pools bound the processes of one Airflow deployment; they know nothing of a second deployment on the
same account, of scripts, or of how many places a mapped task or a triggerer really takes. A store that
all of them consult can: it keeps the same window as ``_throttle.Throttle`` (a request holds its place
until its answer is back, then for one more period). In Redis that is two sorted sets that every process
updates atomically through Lua scripts, and the server's clock (``TIME``) is the only clock, so hosts whose
clocks disagree still agree on the window.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from typing import Any, TypeVar

from airflow_provider_peerclick.exceptions import (
    PeerClickConnectionConfigError,
    PeerClickStoreUnavailableError,
)
from airflow_provider_peerclick.hooks._local_store import AsyncLocalStore, LocalStore
from airflow_provider_peerclick.hooks._store_calls import (
    astore_call,
    is_local_store,
    local_store_folder,
    store_call,
)
from airflow_provider_peerclick.hooks._throttle import POLL_SECONDS, aheld, held

T = TypeVar("T")
log = logging.getLogger(__name__)

# KEYS: places in flight (score: lease deadline), places answered (score: answer time), the line of
# those waiting (score: when each first asked) and when each last asked.
# ARGV: limit, period, lease, member, patience, in_line. Returns "0" when the place was taken, else seconds
# to wait ("-1": every place is in flight, so only an answer can free one).
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local limit, period, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, patience = ARGV[4], tonumber(ARGV[5])
-- A holder that died never answers: once its lease is over, count it as answered when the lease ended.
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #lapsed, 2 do
  redis.call('ZADD', KEYS[2], lapsed[i + 1], lapsed[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - period)
-- A waiter that stopped asking (it died, or gave up) leaves the line.
local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - patience)
for i = 1, #gone do
  redis.call('ZREM', KEYS[3], gone[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - patience)
local free = limit - redis.call('ZCARD', KEYS[1]) - redis.call('ZCARD', KEYS[2])
local ahead = redis.call('ZRANK', KEYS[3], member) or redis.call('ZCARD', KEYS[3])
if free > ahead then
  redis.call('ZADD', KEYS[1], now + lease, member)
  redis.call('PEXPIRE', KEYS[1], math.ceil((lease + period) * 1000))
  redis.call('ZREM', KEYS[3], member)
  redis.call('ZREM', KEYS[4], member)
  return '0'
end
redis.call('ZADD', KEYS[3], 'NX', now, member)
redis.call('ZADD', KEYS[4], now, member)
redis.call('PEXPIRE', KEYS[3], math.ceil(patience * 1000))
redis.call('PEXPIRE', KEYS[4], math.ceil(patience * 1000))
if free > 0 then
  return ARGV[6]
end
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #oldest > 0 then
  return tostring(tonumber(oldest[2]) + period - now)
end
return '-1'
"""

# KEYS as above; ARGV: period, member. A place whose lease already lapsed was moved by _TAKE: keep it.
_GIVE_BACK = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 0
"""

# KEYS as above; ARGV: member. The request was not sent: its place leaves the window without counting.
_RETURN_UNUSED = """
redis.call('ZREM', KEYS[1], ARGV[1])
return 0
"""

# KEYS as above; ARGV: member. A waiter that gave up (its task was cancelled, timed out or killed with a
# signal Python sees) leaves the line at once, rather than keeping the head of it for WAITER_PATIENCE.
_LEAVE_LINE = """
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 0
"""

# Never sleep longer than this between tries, so a store that was flushed is noticed.
_MAX_SLEEP = 1.0
# Places go first come, first served: a process that asks again the moment its request is answered (a
# script in a loop) would otherwise win every place from those that wake a little later (triggers on a
# busy event loop), and starve them. A waiter asks at least every _MAX_SLEEP; one silent this long died
# or gave up, and leaves the line (a place it was next for stays free until then).
WAITER_PATIENCE = 5.0
# How soon a waiter looks again when the free places are for those ahead of it, who are about to take
# them: longer than POLL_SECONDS, since every waiter in line polls at once then.
IN_LINE_SECONDS = 0.1


def _line() -> tuple[float, float]:
    """The waiting line's settings, as the windows pass them to the store (read when asked, for tests)."""
    return WAITER_PATIENCE, IN_LINE_SECONDS


class RedisWindow:
    """The window of ``key`` in the Redis at ``url``, changed only by the Lua scripts above (atomic on the
    server). The ``a*`` methods are the same commands through the event loop's client."""

    def __init__(self, url: str, key: str) -> None:
        self._url = url
        self._keys = [f"{key}:in-flight", f"{key}:answered", f"{key}:waiting", f"{key}:asked"]

    def take(self, limit: int, period: float, lease: float, member: str) -> float:
        return float(self._script(_TAKE, store_client(self._url), limit, period, lease, member, *_line()))

    def give_back(self, period: float, member: str) -> None:
        self._script(_GIVE_BACK, store_client(self._url), period, member)

    def return_unused(self, member: str) -> None:
        self._script(_RETURN_UNUSED, store_client(self._url), member)

    def leave_line(self, member: str) -> None:
        self._script(_LEAVE_LINE, store_client(self._url), member)

    async def atake(self, limit: int, period: float, lease: float, member: str) -> float:
        client = async_store_client(self._url)
        return float(await self._script(_TAKE, client, limit, period, lease, member, *_line()))

    async def agive_back(self, period: float, member: str) -> None:
        await self._script(_GIVE_BACK, async_store_client(self._url), period, member)

    async def areturn_unused(self, member: str) -> None:
        await self._script(_RETURN_UNUSED, async_store_client(self._url), member)

    async def aleave_line(self, member: str) -> None:
        await self._script(_LEAVE_LINE, async_store_client(self._url), member)

    def _script(self, source: str, client: Any, *args: Any) -> Any:
        # Registering only hashes the source; the server keeps the script by that hash after first use.
        return client.register_script(source)(keys=self._keys, args=list(args))


class LocalWindow:
    """The window of ``key`` in the host-local store at ``url`` (``_local_store``), with the same rules."""

    def __init__(self, url: str, key: str) -> None:
        self._url = url
        self._key = key

    def take(self, limit: int, period: float, lease: float, member: str) -> float:
        store: LocalStore = store_client(self._url)
        return store.take(self._key, limit, period, lease, member, *_line())

    def give_back(self, period: float, member: str) -> None:
        store: LocalStore = store_client(self._url)
        store.give_back(self._key, member)

    def return_unused(self, member: str) -> None:
        store: LocalStore = store_client(self._url)
        store.return_unused(self._key, member)

    def leave_line(self, member: str) -> None:
        store: LocalStore = store_client(self._url)
        store.leave_line(self._key, member)

    async def atake(self, limit: int, period: float, lease: float, member: str) -> float:
        store: AsyncLocalStore = async_store_client(self._url)
        return await store.take(self._key, limit, period, lease, member, *_line())

    async def agive_back(self, period: float, member: str) -> None:
        store: AsyncLocalStore = async_store_client(self._url)
        await store.give_back(self._key, member)

    async def areturn_unused(self, member: str) -> None:
        store: AsyncLocalStore = async_store_client(self._url)
        await store.return_unused(self._key, member)

    async def aleave_line(self, member: str) -> None:
        store: AsyncLocalStore = async_store_client(self._url)
        await store.leave_line(self._key, member)


Window = RedisWindow | LocalWindow


class StoreThrottle:
    """At most ``limit`` requests in any ``period`` seconds across every process using one window.

    :param lease: how long a place may stay in flight before it counts as answered: longer than any
        request can take (connect plus read timeout), so only a holder that died ever reaches it.
    :param store: the store's URL, for errors (see ``store_call``).
    :param patience: how long a store that does not answer is waited for (the connection's
        ``max_retry_seconds``). A place taken once it is back is used only one period later: a store
        back from a restart has forgotten the requests answered just before it went away.
    """

    def __init__(
        self, window: Window, rate: float, *, lease: float, store: str, patience: float = 0.0
    ) -> None:
        self.rate = float(rate)
        self.limit = max(1, math.floor(rate))
        self.period = self.limit / self.rate
        self._window = window
        self._lease = lease
        self._store = store
        self._patience = patience

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for room in the shared window, then hold a place in it until the request is answered."""
        member = uuid.uuid4().hex
        while True:
            wait = self._call(self._window.take, self.limit, self.period, self._lease, member)
            if wait == 0:
                break
            try:
                time.sleep(_pause(wait))
            except BaseException:  # Airflow's execution timeout and SIGTERM raise here
                self._leave_line(member)
                raise
        given_back = partial(self._release, self._window.give_back, self.period, member)
        with held(given_back, unsent=partial(self._release, self._window.return_unused, member)):
            yield

    @asynccontextmanager
    async def aslot(self) -> AsyncIterator[None]:
        """``slot()`` for a coroutine: the store is asked without blocking the loop, and waited for with
        ``asyncio.sleep``."""
        member = uuid.uuid4().hex
        while True:
            wait = await self._acall(self._window.atake, self.limit, self.period, self._lease, member)
            if wait == 0:
                break
            try:
                await asyncio.sleep(_pause(wait))
            except BaseException:  # the trigger was cancelled (its task timed out, or it was moved)
                await self._aleave_line(member)
                raise
        given_back = partial(self._arelease, self._window.agive_back, self.period, member)
        async with aheld(given_back, unsent=partial(self._arelease, self._window.areturn_unused, member)):
            yield

    def _call(self, command: Callable[..., T], *args: Any) -> T:
        return store_call(
            _TAKING_A_PLACE, command, *args, store=self._store, patience=self._patience, settle=self.period
        )

    async def _acall(self, command: Callable[..., Awaitable[T]], *args: Any) -> T:
        return await astore_call(
            _TAKING_A_PLACE, command, *args, store=self._store, patience=self._patience, settle=self.period
        )

    def _leave_line(self, member: str) -> None:
        # One try, no retries: the task is being stopped, and a line entry left behind lapses on its own.
        try:
            self._window.leave_line(member)
        except Exception as exc:  # whatever the store says, the error that stopped us goes on
            log.debug(_NOT_LEFT, WAITER_PATIENCE, exc)

    async def _aleave_line(self, member: str) -> None:
        try:
            async with asyncio.timeout(_MAX_SLEEP):
                await self._window.aleave_line(member)
        except Exception as exc:  # as in _leave_line
            log.debug(_NOT_LEFT, WAITER_PATIENCE, exc)

    def _release(self, command: Callable[..., None], *args: Any) -> None:
        try:
            store_call(_RELEASING, command, *args, store=self._store, patience=self._patience)
        except PeerClickStoreUnavailableError as exc:
            log.warning("%s; the place stays counted until its lease ends", exc)

    async def _arelease(self, command: Callable[..., Awaitable[None]], *args: Any) -> None:
        try:
            await astore_call(_RELEASING, command, *args, store=self._store, patience=self._patience)
        except PeerClickStoreUnavailableError as exc:
            log.warning("%s; the place stays counted until its lease ends", exc)


_NOT_LEFT = "Could not leave the rate budget's waiting line (the entry lapses in %.0f s): %s"
_TAKING_A_PLACE = "taking a place in the rate budget, and no request is sent without one"
# A request already answered: the store not hearing of it only keeps its place counted (conservative).
_RELEASING = "recording that a request was answered"


def _pause(wait: float) -> float:
    """How long to sleep on the store's answer ``wait`` (-1: every place in flight, so poll)."""
    return POLL_SECONDS if wait < 0 else min(max(wait, 0.001), _MAX_SLEEP)


_clients: dict[str, Any] = {}
# Per event loop: a redis.asyncio client may only be used on the loop it was made on.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)
_throttles: dict[tuple[str, str, float, float, float], StoreThrottle] = {}
_lock = threading.Lock()


def store_throttle(url: str, key: str, rate: float, *, lease: float, patience: float = 0.0) -> StoreThrottle:
    """The process's throttle for ``key`` in the store at ``url``, created on first use."""
    budget = (url, key, float(rate), float(lease), float(patience))
    store_client(url)  # a missing redis client fails here, before any request waits
    with _lock:
        if budget not in _throttles:
            window = LocalWindow(url, key) if is_local_store(url) else RedisWindow(url, key)
            _throttles[budget] = StoreThrottle(window, rate, lease=lease, store=url, patience=patience)
        return _throttles[budget]


def store_client(url: str) -> Any:
    """One client per store URL and process: a Redis client (its connection pool is thread-safe), or a
    ``LocalStore`` for a ``file:`` URL."""
    with _lock:
        if url not in _clients:
            _clients[url] = LocalStore(local_store_folder(url)) if is_local_store(url) else _redis_client(url)
        return _clients[url]


def async_store_client(url: str) -> Any:
    """``store_client`` for coroutines of the running event loop: a ``redis.asyncio`` client (bound to the
    loop), or an ``AsyncLocalStore``."""
    loop = asyncio.get_running_loop()
    with _lock:
        clients = _async_clients.setdefault(loop, {})
    if url not in clients:
        if is_local_store(url):
            clients[url] = AsyncLocalStore(local_store_folder(url))
        else:
            clients[url] = _redis_client(url, asynchronous=True)
    return clients[url]


def _redis_client(url: str, *, asynchronous: bool = False) -> Any:
    try:
        import redis  # the optional [redis] extra: only a connection that names a store needs it
        import redis.asyncio
    except ImportError:
        raise PeerClickConnectionConfigError(
            "The connection names a 'rate_limit_store', which needs the redis client: "
            "pip install 'airflow-provider-peerclick[redis]'"
        ) from None
    kind = redis.asyncio.Redis if asynchronous else redis.Redis
    return kind.from_url(url, socket_timeout=10, socket_connect_timeout=10)
