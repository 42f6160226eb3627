"""The proxy's refreshing cache: fresh values served, stale ones refreshed after the call."""

import asyncio
from types import SimpleNamespace

from playground.proxy import cache
from playground.proxy.cache import RefreshingCache


async def test_a_value_near_expiry_is_served_then_refreshed_off_the_call(monkeypatch):
    calls = []

    async def loader(x):
        calls.append(x)
        return f"v{len(calls)}"

    now = [1000.0]
    monkeypatch.setattr(cache, "time", SimpleNamespace(monotonic=lambda: now[0]))
    c = RefreshingCache(loader, ttl=1.0, grace=1.0)
    assert await c.get("k", "k") == "v1"
    now[0] += 0.5
    assert await c.get("k", "k") == "v1" and calls == ["k"]  # fresh: no refresh
    now[0] += 0.3  # in the last third of the ttl
    assert await c.get("k", "k") == "v1"
    assert calls == ["k"]  # not during the call that asked for it...
    await asyncio.sleep(cache.REFRESH_DELAY + 0.05)
    assert calls == ["k", "k"]  # ...but right after
    assert await c.get("k", "k") == "v2"


async def test_a_value_past_its_grace_is_loaded_before_answering(monkeypatch):
    n = [0]

    async def loader():
        n[0] += 1
        return n[0]

    now = [0.0]
    monkeypatch.setattr(cache, "time", SimpleNamespace(monotonic=lambda: now[0]))
    c = RefreshingCache(loader, ttl=1.0, grace=0.5)
    assert await c.get("k") == 1
    now[0] += 1.6
    assert await c.get("k") == 2
