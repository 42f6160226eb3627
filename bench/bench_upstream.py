"""Benchmark: what an upstream request costs the client: httpx, aiohttp and `http1`.

    .venv/bin/python bench/bench_upstream.py

Why `playground.upstream` talks to network providers with its own `playground.http1`:
every proxied call pays the client's per-request cost on the server's event loop, before
its first byte. Each client makes the same streamed request (a 7-event answer) to the
standalone simulator on loopback, from this process, with pooled keep-alive connections:

* CPU: this process's CPU time (user + system) per request, at 1, 10 and 100 concurrent
  requests, back to back (warm caches). The simulator's CPU is in its own process.
* After a pause: time to the first body byte of one request sent 0.3 s after the last
  (the clients take turns), p50 over 40 requests. This is how a proxied call usually
  arrives (an agent's turns are seconds apart), with the CPU caches cold; the simulator's
  own time is in every figure alike, so the differences are the clients'.

httpx is measured through its client and its bare transport (no cookies, auth or
redirect layers); aiohttp (no longer a dependency) only if it is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_proxy import PY, ROOT, free_port, wait_port  # noqa: E402

sys.path.insert(0, str(ROOT))
from playground import http1  # noqa: E402

try:
    import aiohttp
except ImportError:  # not a dependency any more
    aiohttp = None

REQUESTS = 400
PAUSE = 0.3
PAUSED_REQUESTS = 40
BODY = json.dumps(
    {"model": "sim-1", "max_tokens": 1000, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
).encode()
HEADERS = {"content-type": "application/json", "x-sim-output-tokens": "3", "anthropic-version": "2023-06-01"}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(one, concurrency: int) -> float:
    for _ in range(20):  # warm-up: connections, imports
        await one()
    start = cpu()
    for _ in range(REQUESTS // concurrency):
        await asyncio.gather(*(one() for _ in range(concurrency)))
    return (cpu() - start) / REQUESTS * 1000


# Each client: an async context manager yielding `one(on_first_byte)`, one streamed request.


async def drain(chunks, on_first_byte=None) -> None:
    """Read a body to its end, calling `on_first_byte` when its first chunk arrives."""
    async for _ in chunks:
        if on_first_byte is not None:
            on_first_byte()
            on_first_byte = None


@contextlib.asynccontextmanager
async def httpx_client(url: str):
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)
    transport = httpx.AsyncHTTPTransport(retries=0, limits=limits)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        async def one(first=None) -> None:
            async with client.stream("POST", url, content=BODY, headers=HEADERS) as response:
                await drain(response.aiter_bytes(), first)

        yield one


@contextlib.asynccontextmanager
async def httpx_transport(url: str):
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)
    async with httpx.AsyncHTTPTransport(retries=0, limits=limits) as transport:
        async def one(first=None) -> None:
            response = await transport.handle_async_request(
                httpx.Request("POST", url, content=BODY, headers=HEADERS)
            )
            await drain(response.stream, first)
            await response.aclose()

        yield one


@contextlib.asynccontextmanager
async def aiohttp_session(url: str):
    connector = aiohttp.TCPConnector(limit=1000, keepalive_timeout=30)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        async def one(first=None) -> None:
            async with session.post(url, data=BODY, headers=HEADERS, allow_redirects=False) as response:
                await drain(response.content.iter_any(), first)

        yield one


@contextlib.asynccontextmanager
async def http1_pool(url: str):
    pool = http1.Pool(limit=1000)
    headers = list(HEADERS.items())
    try:
        async def one(first=None) -> None:
            response = await pool.request("POST", url, headers, BODY, connect_timeout=10)
            await drain(response, first)
            response.release()

        yield one
    finally:
        await pool.aclose()


CLIENTS = {"httpx client": httpx_client, "httpx transport": httpx_transport, "http1": http1_pool}
if aiohttp is not None:
    CLIENTS["aiohttp"] = aiohttp_session


async def cpu_per_request(client, url: str, concurrency: int) -> float:
    async with client(url) as one:
        return await measure(one, concurrency)


async def after_a_pause(url: str) -> dict[str, float]:
    """p50 ms to the first body byte of a request sent PAUSE s after the last one."""
    times: dict[str, list[float]] = {name: [] for name in CLIENTS}
    async with contextlib.AsyncExitStack() as stack:
        ones = {name: await stack.enter_async_context(client(url)) for name, client in CLIENTS.items()}
        for one in ones.values():
            for _ in range(5):
                await one()
        for _ in range(PAUSED_REQUESTS):
            for name, one in ones.items():
                await asyncio.sleep(PAUSE)
                started = time.perf_counter()
                first: list[float] = []
                await one(lambda first=first: first.append(time.perf_counter()))
                times[name].append((first[0] - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    port = free_port()
    sim = subprocess.Popen(
        [PY, "manage.py", "simulator", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, sim)
        url = f"http://127.0.0.1:{port}/v1/messages"
        names = list(CLIENTS)
        print(f"client CPU per request, ms ({REQUESTS} streamed requests per figure)")
        print(f"{'concurrent':>10}" + "".join(f"{name:>17}" for name in names))
        for concurrency in (1, 10, 100):
            row = [asyncio.run(cpu_per_request(CLIENTS[name], url, concurrency)) for name in names]
            print(f"{concurrency:>10}" + "".join(f"{value:>17.3f}" for value in row))
        paused = asyncio.run(after_a_pause(url))
        print(f"\ntime to first byte {PAUSE:g} s after the last request, ms, p50 of {PAUSED_REQUESTS}")
        print(" " * 10 + "".join(f"{paused[name]:>17.3f}" for name in names))
        if aiohttp is None:
            print("(aiohttp is not installed: `pip install aiohttp` to compare it too)")
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    main()
