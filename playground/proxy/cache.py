"""A small in-process cache for the proxy's hot path: key lookups and provider choices.

Policy: an entry is fresh for `ttl` seconds. Used in the last third of that window, it is
refreshed in the background while the cached value is served, so steady traffic never
waits on the database. The refresh starts `REFRESH_DELAY` after the call that asked for
it, once that call's response is under way: a database query in a worker thread would
otherwise compete with it for the interpreter (measured: +1.5 ms to the time to first
byte of a proxied stream arriving every second or two). Past `ttl` it may still be served for `grace` seconds while a
refresh runs (at most one per entry); older entries are loaded before answering. So a
change in the database (a revoked key) takes effect within ttl + grace seconds at most,
and at once in the process that made it (`forget`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

log = logging.getLogger("playground.proxy")

REFRESH_DELAY = 0.05


class RefreshingCache:
    def __init__(
        self,
        loader: Callable[..., Awaitable[Any]],
        *,
        ttl: float,
        grace: float,
        size: int = 10_000,
    ) -> None:
        self._loader = loader
        self.ttl = ttl
        self.grace = grace
        self.size = size
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._refreshing: dict[Hashable, asyncio.Task | asyncio.TimerHandle] = {}

    def forget(self, key: Hashable | None = None) -> None:
        if key is None:
            self._data.clear()
            self._refreshing.clear()
        else:
            self._data.pop(key, None)

    def _store(self, key: Hashable, value: Any) -> None:
        self._data[key] = (time.monotonic(), value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def _start_refresh(self, key: Hashable, args: tuple) -> None:
        self._refreshing[key] = asyncio.ensure_future(self._refresh(key, args))

    async def _refresh(self, key: Hashable, args: tuple) -> None:
        try:
            self._store(key, await self._loader(*args))
        except Exception:
            log.exception("proxy cache refresh failed")
        finally:
            self._refreshing.pop(key, None)

    async def get(self, key: Hashable, *args: Any) -> Any:
        """The value for `key`, loading it with `loader(*args)` when needed."""
        hit = self._data.get(key)
        if hit is not None:
            age = time.monotonic() - hit[0]
            if age < self.ttl * 2 / 3:
                return hit[1]
            if age < self.ttl + self.grace:
                if key not in self._refreshing:
                    self._refreshing[key] = asyncio.get_running_loop().call_later(
                        REFRESH_DELAY, self._start_refresh, key, args
                    )
                return hit[1]
        value = await self._loader(*args)
        self._store(key, value)
        return value
