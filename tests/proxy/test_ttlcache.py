"""The proxy's TTL cache: values live `ttl` seconds; forget() takes effect at once."""

import asyncio

from playground.proxy.ttlcache import TTLCache


def counting(calls: list):
    async def load():
        calls.append(None)
        return len(calls)

    return load


async def test_it_serves_a_young_value_without_loading():
    calls = []
    c = TTLCache(ttl=60)
    assert await c.get("k", counting(calls)) == 1
    assert await c.get("k", counting(calls)) == 1
    assert len(calls) == 1


async def test_it_loads_again_once_the_value_is_older_than_its_ttl():
    calls = []
    c = TTLCache(ttl=0.05)
    assert await c.get("k", counting(calls)) == 1
    await asyncio.sleep(0.06)
    assert await c.get("k", counting(calls)) == 2


async def test_forget_takes_effect_at_once_for_one_key_or_all():
    calls = []
    c = TTLCache(ttl=60)
    await c.get("a", counting(calls))
    await c.get("b", counting(calls))
    c.forget("a")
    assert await c.get("a", counting(calls)) == 3
    assert await c.get("b", counting(calls)) == 2
    c.forget()
    assert await c.get("b", counting(calls)) == 4


async def test_a_load_in_flight_cannot_undo_a_forget():
    c = TTLCache(ttl=60)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow():
        started.set()
        await release.wait()
        return "stale"

    task = asyncio.ensure_future(c.get("k", slow))
    await started.wait()
    c.forget("k")  # e.g. the key was revoked meanwhile
    release.set()
    assert await task == "stale"  # that one call gets what it loaded...

    async def fresh():
        return "fresh"

    assert await c.get("k", fresh) == "fresh"  # ...but it was not kept


async def test_it_keeps_at_most_size_entries_dropping_the_least_recently_used():
    calls = []
    c = TTLCache(ttl=60, size=2)
    await c.get("a", counting(calls))
    await c.get("b", counting(calls))
    await c.get("a", counting(calls))  # a is now the most recent
    await c.get("c", counting(calls))  # b goes
    assert await c.get("a", counting(calls)) == 1
    assert await c.get("b", counting(calls)) == 4
