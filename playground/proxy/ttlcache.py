"""A small in-process cache with a time to live, for the proxy's lookups (keys, routes).

Policy: a value is served for at most `ttl` seconds; the first call that finds it older
loads it again. So a change in the database (a revoked key, a disabled provider) takes
effect within `ttl` seconds in every process, and at once in the process that made it
(`forget`, callable from any thread). The least recently used entries go past `size`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class TTLCache:
    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()  # forget() may come from a view's thread
        self._generation = 0  # bumped by forget(), so a load in flight cannot undo it

    def forget(self, key: Hashable | None = None) -> None:
        with self._lock:
            self._generation += 1
            if key is None:
                self._data.clear()
            else:
                self._data.pop(key, None)

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        """The value for `key`, from `load()` when absent or older than `ttl`."""
        with self._lock:
            found = self._data.get(key)
            if found is not None and time.monotonic() - found[0] < self.ttl:
                self._data.move_to_end(key)
                return found[1]
            generation = self._generation
        value = await load()
        with self._lock:
            if generation == self._generation:
                self._data[key] = (time.monotonic(), value)
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        return value
