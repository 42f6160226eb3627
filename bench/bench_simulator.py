"""How cheap the simulator is to drive: generation, in-process transport, loopback server.

    .venv/bin/python bench/bench_simulator.py [--tokens 120000] [--requests 300]

Each figure is measured against a baseline taken in the same run:

1. engine: events/s of `engine.handle()`'s stream body (plan + events + encoding, pulled
   like a server pulls it) against the floor of encoding the same, already planned events.
2. transport: events/s through `httpx.AsyncClient(transport=SimulatorTransport())` against
   the engine alone (the price of the httpx layer).
3. loopback: events/s of a stream served by `manage.py simulator` (its own process) and
   read with `aiter_raw`, against a bare uvicorn ASGI app in its own process that sends the
   same precomputed event bytes one event per chunk (the server + socket floor).
4. small requests: p50/p99 latency of non-streaming `sim-1` answers over loopback against
   the bare app returning the same JSON bytes (sequential, one keep-alive connection).
5. disconnect: time from the client closing a paced stream to the engine's generation
   stopping (the live-stream gauge reaching 0; server in a thread of this process).

Loopback only; bounded by --tokens and --requests; stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from playground.contract.events import message_to_events  # noqa: E402
from playground.contract.sse import encode_event  # noqa: E402
from playground.simulator import engine  # noqa: E402
from playground.simulator.asgi import app as sim_app  # noqa: E402
from playground.simulator.behaviour import plan_message  # noqa: E402
from playground.simulator.transport import SimulatorTransport  # noqa: E402


def _request(tokens: int, stream: bool = True) -> dict:
    return {
        "model": "sim-1",
        "max_tokens": min(tokens, 128_000),
        "stream": stream,
        "messages": [{"role": "user", "content": "Write a long story about a lighthouse."}],
    }


def _serve(asgi) -> tuple[str, uvicorn.Server, threading.Thread, socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread, sock


def _bare_app(stream_chunks: list[bytes], json_body: bytes):
    async def bare(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream; charset=utf-8")]})
            for chunk in stream_chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(json_body)).encode())]})
            await send({"type": "http.response.body", "body": json_body})

    return bare


REPEAT = 3  # each lane keeps its best run: the machine is shared and noisy


async def bench_engine(tokens: int) -> tuple[float, int]:
    raw = json.dumps(_request(tokens)).encode()
    headers = {"x-sim-output-tokens": str(tokens)}
    elapsed = floor = float("inf")
    count = 0
    message = plan_message(_request(tokens), seed="floor", output_tokens=tokens)
    events = message_to_events(message)
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = await engine.handle("POST", "/v1/messages", "", headers, raw)
        count = 0
        async for _ in response.body:
            count += 1
        elapsed = min(elapsed, time.perf_counter() - started)
        floor_start = time.perf_counter()
        for name, data in events:
            encode_event(name, data)
        floor = min(floor, time.perf_counter() - floor_start)
    print(f"engine     {count:>7} events in {elapsed:.3f}s = {count / elapsed:>9,.0f} ev/s;"
          f" encode-only floor {len(events) / floor:>9,.0f} ev/s; ratio {elapsed / floor:.2f}x")
    return elapsed, count


async def bench_transport(tokens: int, engine_elapsed: float) -> None:
    body = _request(tokens)
    elapsed = float("inf")
    count = 0
    async with httpx.AsyncClient(transport=SimulatorTransport(), base_url="http://sim", timeout=None) as http:
        for _ in range(REPEAT):
            started = time.perf_counter()
            count = 0
            async with http.stream("POST", "/v1/messages", json=body,
                                   headers={"x-sim-output-tokens": str(tokens)}) as response:
                async for _ in response.aiter_raw():
                    count += 1
            elapsed = min(elapsed, time.perf_counter() - started)
    print(f"transport  {count:>7} events in {elapsed:.3f}s = {count / elapsed:>9,.0f} ev/s;"
          f" ratio to the engine alone {elapsed / engine_elapsed:.2f}x")


async def bench_loopback(tokens: int, sim_url: str, bare_url: str) -> None:
    async def read(url: str, path: str, body: dict | None) -> tuple[float, int, int]:
        best = (float("inf"), 0, 0)
        async with httpx.AsyncClient(base_url=url, timeout=None) as http:
            for _ in range(REPEAT):
                started = time.perf_counter()
                size = events = 0
                kwargs = {"json": body, "headers": {"x-sim-output-tokens": str(tokens)}} if body else {}
                async with http.stream("POST", path, **kwargs) as response:
                    async for chunk in response.aiter_raw():
                        size += len(chunk)
                        events += chunk.count(b"\n\n")
                best = min(best, (time.perf_counter() - started, events, size))
        return best

    # Best of REPEAT each, back to back, so both see about the same background load.
    sim_time, sim_events, sim_size = await read(sim_url, "/v1/messages", _request(tokens))
    bare_time, bare_events, _ = await read(bare_url, "/stream", None)
    print(f"loopback   {sim_events:>7} events in {sim_time:.3f}s = {sim_events / sim_time:>9,.0f} ev/s,"
          f" {sim_size / sim_time / 1e6:.1f} MB/s; bare ASGI same bytes {bare_events / bare_time:>9,.0f} ev/s;"
          f" ratio {sim_time / bare_time:.2f}x")


async def bench_small(requests: int, sim_url: str, bare_url: str) -> None:
    async def lat(url: str, path: str) -> list[float]:
        out = []
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            body = {**_request(64, stream=False), "max_tokens": 64}
            for _ in range(requests):
                started = time.perf_counter()
                response = await http.post(path, json=body)
                response.read()
                out.append(time.perf_counter() - started)
        return out

    sim = await lat(sim_url, "/v1/messages")
    bare = await lat(bare_url, "/json")

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    print(f"small      sim p50 {p(sim, 50):.2f} ms p99 {p(sim, 99):.2f} ms; bare p50 {p(bare, 50):.2f} ms"
          f" p99 {p(bare, 99):.2f} ms; p50 ratio {p(sim, 50) / p(bare, 50):.2f}x ({requests} requests)")


async def bench_disconnect(sim_url: str, rounds: int = 5) -> None:
    stops = []
    async with httpx.AsyncClient(base_url=sim_url, timeout=30) as http:
        for _ in range(rounds):
            async with http.stream("POST", "/v1/messages", json=_request(50_000),
                                   headers={"x-sim-output-tokens": "50000", "x-sim-delay-ms": "5"}) as response:
                async for chunk in response.aiter_raw():
                    if b"content_block_delta" in chunk:
                        break
                closed = time.perf_counter()
            while engine.streams.active:
                await asyncio.sleep(0.0005)
                if time.perf_counter() - closed > 5:
                    break
            stops.append(time.perf_counter() - closed)
    print(f"disconnect generation stopped {max(stops) * 1000:.1f} ms (worst of {rounds}) after the client closed")


def _bare_main(tokens: int) -> None:
    """Child process: the bare baseline server; prints its URL, runs until killed."""
    message = plan_message(_request(tokens), seed="bare", output_tokens=tokens)
    chunks = [encode_event(n, d) for n, d in message_to_events(message)]
    small = plan_message({**_request(64, stream=False), "max_tokens": 64}, seed="bare")
    small_json = json.dumps(small, separators=(",", ":")).encode()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(_bare_app(chunks, small_json), log_level="critical",
                                  lifespan="off")).run(sockets=[sock])


def _spawn(args: list[str]) -> tuple[subprocess.Popen, str]:
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, *args], cwd=root, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    return process, line.split()[-1]


async def run(tokens: int, requests: int) -> None:
    engine_elapsed, _ = await bench_engine(tokens)
    await bench_transport(tokens, engine_elapsed)

    children = [
        _spawn(["manage.py", "simulator", "--port", "0"]),
        _spawn([__file__, "--bare-server", "--tokens", str(tokens)]),
    ]
    try:
        (_, sim_url), (_, bare_url) = children
        await bench_loopback(tokens, sim_url, bare_url)
        await bench_small(requests, sim_url, bare_url)
    finally:
        for process, _ in children:
            process.terminate()
            process.wait(10)
            process.stdout.close()
    url, server, thread, sock = _serve(sim_app)
    try:
        await bench_disconnect(url)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=120_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    tokens = min(args.tokens, 128_000)
    if args.bare_server:
        _bare_main(tokens)
    else:
        asyncio.run(run(tokens, max(10, min(args.requests, 5_000))))


if __name__ == "__main__":
    main()
