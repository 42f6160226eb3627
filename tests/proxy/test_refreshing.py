"""The proxy's refreshing cache: values in use are reloaded by a sweeper, not by calls."""

import asyncio
from types import SimpleNamespace

from playground.proxy import refreshing as cache
from playground.proxy.refreshing import RefreshingCache


def counting_loader(calls: list):
    async def loader(x):
        calls.append(x)
        return f"v{len(calls)}"

    return loader


async def test_a_value_in_use_is_reloaded_in_the_background_between_calls():
    calls = []
    c = RefreshingCache(counting_loader(calls), ttl=0.2, grace=0.1)
    assert await c.get("k", "k") == "v1"
    await asyncio.sleep(0.45)  # a pause longer than ttl + grace, with no call in it
    assert len(calls) >= 2  # the sweeper reloaded it...
    before = len(calls)
    assert await c.get("k", "k") == f"v{before}"  # ...so the call after the pause did not wait
    assert len(calls) == before
    c.forget()


async def test_a_value_past_its_grace_is_loaded_before_answering(monkeypatch):
    n = [0]

    async def loader():
        n[0] += 1
        return n[0]

    now = [0.0]
    monkeypatch.setattr(cache, "time", SimpleNamespace(monotonic=lambda: now[0]))
    c = RefreshingCache(loader, ttl=1.0, grace=0.5)
    assert await c.get("k") == 1
    now[0] += 1.4
    assert await c.get("k") == 1  # inside ttl + grace: served
    now[0] += 0.2
    assert await c.get("k") == 2  # past it: loaded during the call
    c.forget()


async def test_entries_not_used_recently_are_left_to_expire():
    calls = []
    c = RefreshingCache(counting_loader(calls), ttl=0.1, grace=0.05, warm_for=0.12)
    await c.get("k", "k")
    await asyncio.sleep(0.5)
    assert len(calls) <= 3  # one or two reloads while warm, then none
    assert all(s.done() for s in c._sweepers.values())  # it stopped with nothing in use
    settled = len(calls)
    await asyncio.sleep(0.2)
    assert len(calls) == settled


async def test_forget_wins_over_a_reload_in_flight():
    gate = asyncio.Event()
    values = iter(["old", "stale reload", "fresh"])

    async def loader():
        value = next(values)
        if value == "stale reload":
            await gate.wait()
        return value

    c = RefreshingCache(loader, ttl=0.1, grace=0.1)
    assert await c.get("k") == "old"
    await asyncio.sleep(0.13)  # the sweeper is now waiting inside the reload
    c.forget("k")  # e.g. the key was revoked in this process
    gate.set()
    await asyncio.sleep(0.01)
    assert await c.get("k") == "fresh"
    c.forget()


async def test_a_failing_reload_keeps_serving_until_the_grace_runs_out():
    state = {"fail": False, "n": 0}

    async def loader():
        if state["fail"]:
            raise RuntimeError("database down")
        state["n"] += 1
        return state["n"]

    c = RefreshingCache(loader, ttl=0.1, grace=0.15)
    assert await c.get("k") == 1
    state["fail"] = True
    await asyncio.sleep(0.12)
    assert await c.get("k") == 1  # the reload failed, the value is still inside its grace
    await asyncio.sleep(0.2)
    try:
        await c.get("k")
    except RuntimeError as exc:
        assert "database down" in str(exc)  # past the grace the call loads, and fails
    else:
        raise AssertionError("a value past ttl + grace was served")
    c.forget()


async def test_refusals_are_not_kept_warm_and_a_sweep_loads_in_one_call():
    batches = []

    async def loader(x):
        return x

    async def load_many(argsets):
        batches.append([a[0] for a in argsets])
        return [a[0] for a in argsets]

    c = RefreshingCache(
        loader, load_many=load_many, warm_if=lambda v: not v.startswith("bad"), ttl=0.1, grace=0.05
    )
    for k in ("good-1", "good-2", "bad-1", "bad-2"):
        await c.get(k, k)
    await asyncio.sleep(0.12)
    assert batches and all(sorted(b) == ["good-1", "good-2"] for b in batches)
    c.forget()


def test_forget_from_another_thread_while_a_loop_sweeps():
    import threading

    async def loader(x):
        return x

    c = RefreshingCache(loader, ttl=0.004, grace=10.0)
    stop = threading.Event()

    def forget_often():
        while not stop.is_set():
            c.forget("k3")
            c.forget()

    async def use():
        for i in range(400):
            await c.get(f"k{i % 7}", i)
            await asyncio.sleep(0)

    thread = threading.Thread(target=forget_often)
    thread.start()
    try:
        asyncio.run(use())  # no RuntimeError or KeyError from the cache
    finally:
        stop.set()
        thread.join()


async def test_one_sweeper_per_loop():
    import threading

    async def loader(x):
        return x

    c = RefreshingCache(loader, ttl=0.2, grace=1.0)
    other = asyncio.new_event_loop()
    runner = threading.Thread(target=other.run_forever)
    runner.start()
    try:
        for i in range(10):
            await c.get("k", i)
            asyncio.run_coroutine_threadsafe(c.get("k", i), other).result(5)
        assert len(c._sweepers) == 2
    finally:
        c.forget()
        other.call_soon_threadsafe(other.stop)
        runner.join()
        other.close()
