"""A small in-process cache for the proxy's hot path: key lookups and provider choices.

Policy: a value may be served until it is `ttl + grace` seconds old; older, it is loaded
before answering. So a change in the database (a revoked key) takes effect within
ttl + grace seconds in every process, and at once in the process that made it (`forget`).

Values in use are kept young by a sweeper task per event loop, not by the calls: every
`ttl / 2` seconds it reloads the entries used in the last `warm_for` seconds (the most
recently used `sweep_limit` of them). A call then never waits on the database, even after
a pause (an agent's tool loop arrives in bursts seconds apart; with refreshes driven by
calls, every burst paid a synchronous lookup). If the sweeper falls behind (a slow
database), entries age past ttl + grace and calls load them themselves: slower, never
stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("playground.proxy")

WARM_FOR = 600.0
SWEEP_LIMIT = 256


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
        size: int = 10_000,
        warm_for: float = WARM_FOR,
        sweep_limit: int = SWEEP_LIMIT,
    ) -> None:
        self._loader = loader
        self.ttl = ttl
        self.grace = grace
        self.size = size
        self.warm_for = warm_for
        self.sweep_limit = sweep_limit
        self._data: OrderedDict[Hashable, _Entry] = OrderedDict()  # least recently used first
        self._generation = 0  # bumped by forget(), so an in-flight reload cannot undo it
        self._sweeper: asyncio.Task | None = None

    def forget(self, key: Hashable | None = None) -> None:
        self._generation += 1
        if key is None:
            self._data.clear()
            if self._sweeper is not None:
                with contextlib.suppress(RuntimeError):  # its loop may be closed already
                    self._sweeper.cancel()
                self._sweeper = None
        else:
            self._data.pop(key, None)

    async def get(self, key: Hashable, *args: Any) -> Any:
        """The value for `key`, loading it with `loader(*args)` when it is too old."""
        now = time.monotonic()
        entry = self._data.get(key)
        if entry is not None and now - entry.loaded_at < self.ttl + self.grace:
            entry.used_at = now
            self._data.move_to_end(key)
            self._ensure_sweeper()
            return entry.value
        generation = self._generation
        value = await self._loader(*args)
        if generation == self._generation:
            self._store(key, value, args, used_at=now)
        self._ensure_sweeper()
        return value

    def _store(self, key: Hashable, value: Any, args: tuple, used_at: float) -> None:
        self._data[key] = _Entry(value, args, time.monotonic(), used_at)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def _ensure_sweeper(self) -> None:
        sweeper = self._sweeper
        if sweeper is not None and not sweeper.done():
            with contextlib.suppress(RuntimeError):
                if sweeper.get_loop() is asyncio.get_running_loop():
                    return
        self._sweeper = asyncio.ensure_future(self._sweep())

    def _warm(self, now: float) -> list[tuple[Hashable, _Entry]]:
        """The entries to reload now: recently used, most recent first, not just loaded."""
        out = []
        for key in reversed(self._data):
            entry = self._data[key]
            if now - entry.used_at >= self.warm_for or len(out) >= self.sweep_limit:
                break
            if now - entry.loaded_at >= self.ttl / 2:
                out.append((key, entry))
        return out

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 2)
            now = time.monotonic()
            newest = next(reversed(self._data), None)
            if newest is None or now - self._data[newest].used_at >= self.warm_for:
                return  # nothing in use: the next call starts a new sweeper
            for key, entry in self._warm(now):
                await self._reload(key, entry)

    async def _reload(self, key: Hashable, entry: _Entry) -> None:
        generation = self._generation
        try:
            value = await self._loader(*entry.args)
        except Exception:
            log.exception("proxy cache refresh failed")
            return
        if generation == self._generation and self._data.get(key) is entry:
            entry.value = value
            entry.loaded_at = time.monotonic()
