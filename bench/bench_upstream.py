"""Benchmark: client-side CPU per upstream request, httpx against aiohttp.

    .venv/bin/python bench/bench_upstream.py

Why `playground.upstream` talks to network providers with aiohttp: every proxied call
pays the client's per-request cost on the server's event loop. Both clients make the same
streamed request (a 7-event answer) to the standalone simulator on loopback, in one
process, at 1, 10 and 100 concurrent requests, with the pool settings `upstream.py` uses;
the figure is this process's CPU time (user + system) per request. The simulator's own
CPU is in another process and not counted. httpx is measured through its client (what
`upstream.py` used) and through its bare transport (no cookies, auth or redirect layers).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_proxy import PY, ROOT, free_port, wait_port  # noqa: E402

REQUESTS = 400
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


async def httpx_client(url: str, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)
    transport = httpx.AsyncHTTPTransport(retries=0, limits=limits)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        async def one() -> None:
            async with client.stream("POST", url, content=BODY, headers=HEADERS) as response:
                async for _ in response.aiter_bytes():
                    pass

        return await measure(one, concurrency)


async def httpx_transport(url: str, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)
    async with httpx.AsyncHTTPTransport(retries=0, limits=limits) as transport:
        async def one() -> None:
            response = await transport.handle_async_request(
                httpx.Request("POST", url, content=BODY, headers=HEADERS)
            )
            async for _ in response.stream:
                pass
            await response.aclose()

        return await measure(one, concurrency)


async def aiohttp_session(url: str, concurrency: int) -> float:
    connector = aiohttp.TCPConnector(limit=1000, keepalive_timeout=30)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        async def one() -> None:
            async with session.post(url, data=BODY, headers=HEADERS, allow_redirects=False) as response:
                async for _ in response.content.iter_any():
                    pass

        return await measure(one, concurrency)


def main() -> None:
    port = free_port()
    sim = subprocess.Popen(
        [PY, "manage.py", "simulator", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, sim)
        url = f"http://127.0.0.1:{port}/v1/messages"
        print(f"client CPU per request, ms ({REQUESTS} streamed requests per figure)")
        print(f"{'concurrent':>10} {'httpx client':>13} {'httpx transport':>16} {'aiohttp':>8} {'ratio':>6}")
        for concurrency in (1, 10, 100):
            hx = asyncio.run(httpx_client(url, concurrency))
            ht = asyncio.run(httpx_transport(url, concurrency))
            ah = asyncio.run(aiohttp_session(url, concurrency))
            print(f"{concurrency:>10} {hx:>13.3f} {ht:>16.3f} {ah:>8.3f} {ah / hx:>6.2f}")
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    main()
