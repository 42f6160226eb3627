"""A self-refreshing in-process cache for the proxy's hot path: key lookups and provider
choices.

Why not a plain TTL cache: measured with `bench/bench_proxy.py`, a call that finds its key
and route expired pays two database lookups before its first byte (tens of milliseconds on
a busy machine, and concurrent callers queue behind each other), which put the proxy's
added time to first byte and the paced lane far past their targets.

Policy: a value may be served until it is `ttl + grace` seconds old; older, it is loaded
before answering. So a change in the database (a revoked key) takes effect within
ttl + grace seconds in every process, and at once in the process that made it (`forget`,
callable from any thread).

Values in use are kept young by one sweeper task per event loop, not by the calls: every
`(ttl + grace) / 2` seconds it reloads, in one `load_many` call (one thread hop, one database
connection), the entries used in the last `warm_for` seconds (the most recently used
`sweep_limit` of them) whose value is worth keeping warm (`warm_if`: a valid key, not a
refusal, so made-up keys cannot make it work). A call then never waits on the database,
even after a pause: an agent's tool loop arrives in bursts seconds apart, and with
refreshes driven by calls every burst paid a synchronous lookup. If the sweeper falls
behind (a slow database), entries age past ttl + grace and calls load them themselves:
slower, never stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("playground.proxy")

WARM_FOR = 60.0
SWEEP_LIMIT = 64


def each(load: Callable[..., Any]) -> Callable[[list[tuple]], list[Any]]:
    """`load` applied to each of a sweep's argument tuples: one call, so a sync loader
    wrapped for a thread hop loads a whole sweep in one hop (`load_many`)."""

    def load_each(argsets: list[tuple]) -> list[Any]:
        return [load(*args) for args in argsets]

    return load_each


@dataclass
class _Entry:
    value: Any
    args: tuple
    loaded_at: float
    used_at: float


class RefreshingCache:
    def __init__(
        self,
        loader: Callable[..., Awaitable[Any]],
        *,
        ttl: float,
        grace: float,
        load_many: Callable[[list[tuple]], Awaitable[list[Any]]] | None = None,
        warm_if: Callable[[Any], bool] = lambda value: True,
        size: int = 10_000,
        warm_for: float = WARM_FOR,
        sweep_limit: int = SWEEP_LIMIT,
    ) -> None:
        self._loader = loader
        self._load_many = load_many
        self._warm_if = warm_if
        self.ttl = ttl
        self.grace = grace
        self.size = size
        self.warm_for = warm_for
        self.sweep_limit = sweep_limit
        # Half the longest a value may be served: a sweep that takes less than that keeps
        # every value in use servable, with one sweep's worth of room for a slow database.
        self._period = (ttl + grace) / 2
        self._data: OrderedDict[Hashable, _Entry] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()  # forget() may come from a view's thread
        self._generation = 0  # bumped by forget(), so an in-flight reload cannot undo it
        self._sweepers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task] = (
            weakref.WeakKeyDictionary()
        )

    def forget(self, key: Hashable | None = None) -> None:
        with self._lock:
            self._generation += 1
            if key is not None:
                self._data.pop(key, None)
                return
            self._data.clear()
            sweepers = list(self._sweepers.items())
            self._sweepers.clear()
        for loop, sweeper in sweepers:
            with contextlib.suppress(RuntimeError):  # its loop may be closed already
                loop.call_soon_threadsafe(sweeper.cancel)

    async def get(self, key: Hashable, *args: Any) -> Any:
        """The value for `key`, loading it with `loader(*args)` when it is too old."""
        now = time.monotonic()
        entry = self._data.get(key)
        if entry is not None and now - entry.loaded_at < self.ttl + self.grace:
            entry.used_at = now
            with contextlib.suppress(KeyError):  # forgotten meanwhile: served this once
                self._data.move_to_end(key)
            self._ensure_sweeper()
            return entry.value
        generation = self._generation
        value = await self._loader(*args)
        with self._lock:
            if generation == self._generation:
                self._data[key] = _Entry(value, args, time.monotonic(), now)
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        self._ensure_sweeper()
        return value

    def _ensure_sweeper(self) -> None:
        loop = asyncio.get_running_loop()
        sweeper = self._sweepers.get(loop)
        if sweeper is None or sweeper.done():
            self._sweepers[loop] = loop.create_task(self._sweep())

    def _warm(self, now: float) -> list[tuple[Hashable, _Entry]]:
        """The entries to reload now: recently used, most recent first, not just loaded."""
        out = []
        with self._lock:
            for key in reversed(self._data):
                entry = self._data[key]
                if now - entry.used_at >= self.warm_for or len(out) >= self.sweep_limit:
                    break
                if now - entry.loaded_at >= self._period / 2 and self._warm_if(entry.value):
                    out.append((key, entry))
        return out

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._period)
            now = time.monotonic()
            with self._lock:
                newest = next(reversed(self._data), None)
                idle = newest is None or now - self._data[newest].used_at >= self.warm_for
            if idle:
                return  # nothing in use: the next call starts a new sweeper
            due = self._warm(now)
            if due:
                await self._reload(due)

    async def _reload(self, due: list[tuple[Hashable, _Entry]]) -> None:
        generation = self._generation
        try:
            if self._load_many is not None:
                values = await self._load_many([entry.args for _key, entry in due])
            else:
                values = [await self._loader(*entry.args) for _key, entry in due]
        except Exception:
            log.exception("proxy cache refresh failed")
            return
        loaded_at = time.monotonic()
        with self._lock:
            if generation != self._generation:
                return
            for (key, entry), value in zip(due, values, strict=True):
                if self._data.get(key) is entry:
                    entry.value = value
                    entry.loaded_at = loaded_at
