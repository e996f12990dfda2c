"""Client-side throttle that keeps one process under a request rate, shared by every hook in it.

PeerClick counts requests as they arrive. Spacing requests by when they were *sent* is not enough: a
slow answer followed by a fast one can land two requests inside one server-side second. So a request
holds its place in the window until its answer is back, and a new one may start only when fewer than
``limit`` requests were answered within the last ``period``. A request the server answered had arrived
before that answer, so this holds on any network, whatever the latency.

Tasks wait for their place in ``slot()``; triggers ``await`` it in ``aslot()``, which never blocks the
event loop nor holds a thread: the triggerer's shared thread pool belongs to every provider's triggers.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial

# How often an awaiting request looks again while every place is in flight (it gets no notify).
POLL_SECONDS = 0.02


class Unsent(Exception):
    """Raised inside ``slot()`` when the request is not sent after all: its place is given back unused,
    so a request that must step out of the queue (its token lapsed) costs the window nothing."""


@contextmanager
def held(answered: Callable[[], None], *, unsent: Callable[[], None]) -> Iterator[None]:
    """Around a request holding a place: ``answered`` once it is over, however it ended, or ``unsent``
    if it stepped out without being sent (``Unsent``)."""
    try:
        yield
    except Unsent:
        unsent()
        raise
    except BaseException:
        answered()
        raise
    answered()


@asynccontextmanager
async def aheld(
    answered: Callable[[], Awaitable[None]], *, unsent: Callable[[], Awaitable[None]]
) -> AsyncIterator[None]:
    """``held`` for callbacks that are awaited."""
    try:
        yield
    except Unsent:
        await unsent()
        raise
    except BaseException:
        await answered()
        raise
    await answered()


class _Place:
    __slots__ = ("answered_at",)

    def __init__(self) -> None:
        self.answered_at = math.inf


class Throttle:
    """At most ``limit`` requests in any ``period`` seconds, each counted until its answer is back."""

    def __init__(
        self, rate: float, *, clock: Callable[[], float] = time.monotonic, full_since: float | None = None
    ) -> None:
        """:param full_since: count the window as full, every place answered at this time of ``clock``
        (see ``shared_throttle``)."""
        self._clock = clock
        self._places: list[_Place] = []
        self._cond = threading.Condition()
        if not (isinstance(rate, int | float) and rate > 0 and math.isfinite(rate)):
            raise ValueError(f"rate must be a positive number of requests per second, got {rate!r}")
        self.rate = float(rate)
        self.limit = max(1, math.floor(rate))
        self.period = self.limit / self.rate
        if full_since is not None:
            self._places = [_Place() for _ in range(self.limit)]
            for place in self._places:
                place.answered_at = full_since

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for room in the window, then hold a place in it until the request is answered."""
        place = self._take_place()
        with held(partial(self._answered, place), unsent=partial(self._unused, place)):
            yield

    @asynccontextmanager
    async def aslot(self) -> AsyncIterator[None]:
        """``slot()`` for a coroutine: the wait is an ``asyncio.sleep``, so threads and tasks of the same
        process still share the one window."""
        while True:
            with self._cond:
                place, wait = self._try_take()
            if place is not None:
                break
            await asyncio.sleep(POLL_SECONDS if wait is None else wait)
        with held(partial(self._answered, place), unsent=partial(self._unused, place)):
            yield

    def _answered(self, place: _Place) -> None:
        with self._cond:
            place.answered_at = self._clock()
            self._cond.notify_all()

    def _unused(self, place: _Place) -> None:
        with self._cond:
            self._places.remove(place)  # in flight until now, so never pruned from the list
            self._cond.notify_all()

    def _take_place(self) -> _Place:
        with self._cond:
            while True:
                place, wait = self._try_take()
                if place is not None:
                    return place
                # With every place still in flight, only an answer can free one: wait for its notify.
                self._cond.wait(wait)

    def _try_take(self) -> tuple[_Place | None, float | None]:
        """A place if the window has room, else how long until it may (None: until an answer comes).
        Called with ``_cond`` held."""
        now = self._clock()
        self._places = [p for p in self._places if p.answered_at > now - self.period]
        if len(self._places) < self.limit:
            place = _Place()
            self._places.append(place)
            return place, None
        answered = [p.answered_at for p in self._places if p.answered_at != math.inf]
        return None, (min(answered) + self.period - now if answered else None)


_shared: dict[Hashable, Throttle] = {}
_shared_lock = threading.Lock()


def shared_throttle(key: Hashable, rate: float) -> Throttle:
    """The process-wide throttle for ``key`` (account and bucket) at ``rate``, created on first use.

    Hooks of one process that ask for the same budget share it, so threads and the triggers of one
    triggerer add up to ``rate``, never more. A different rate is a different budget (a task holding more
    pool slots), and gets a throttle of its own.
    """
    budget = (key, float(rate))
    with _shared_lock:
        if budget not in _shared:
            # A pool slot passes from one task process to the next within a fraction of a second, and
            # the previous holder's last requests may still be in PeerClick's window: a new process
            # must count its slot's window as full. Full as of the moment this process started, which
            # came after the previous holder's last answer (the slot was free before this task was
            # queued, and queued before its process was started), so the second or more a task process
            # spends starting up is not waited again.
            _shared[budget] = Throttle(rate, full_since=process_started())
        return _shared[budget]


def process_started() -> float:
    """When this process started, on the ``time.monotonic`` clock (which every process of a host shares);
    now where that cannot be read exactly (anywhere but Linux)."""
    now = time.monotonic()
    try:
        # /proc/self/stat's 22nd field: the start in clock ticks of CLOCK_BOOTTIME. (psutil's create_time
        # adds it to a boot time rounded down to the second, up to a second too early for this use.)
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        tick = 1 / os.sysconf("SC_CLK_TCK")
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) * tick
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    # Ticks are truncated, so the true start may be up to a tick later than read: count it that late.
    return now - min(max(age - tick, 0.0), now)
