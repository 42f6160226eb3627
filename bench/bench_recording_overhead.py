"""Recording overhead on a relayed stream: added latency per event, p50 and p99.

Run by hand: `.venv/bin/python bench/bench_recording_overhead.py` (SQLite in a temporary
folder; set DATABASE_URL to a PostgreSQL database to measure there instead).

Setup, all on loopback in one process and one event loop (like daphne):

* an upstream TCP server writes 1,000 SSE events (`content_block_delta`, ~200 bytes each),
  one every `PACE_MS`, each stamped with `perf_counter_ns()` at write time;
* a relay reads the socket, parses with the real `SSEParser`, calls `rec.event()` for each
  event when recording (the proxy's hot path) and takes the event's latency (now - stamp);
* baseline runs (no recording) and recording runs alternate, `ROUNDS` of each, same run.

Figures: per-event latency p50/p99 for both, the added latency (recording - baseline) at
p50 and p99, the caller-side cost of `rec.event()` alone, and the worst event-loop stall seen
by a 1 ms ticker while the writer works. Target: added p99 under 1 ms.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from playground import recording  # noqa: E402
from playground.contract.sse import SSEParser  # noqa: E402

EVENTS = 1000
PACE_MS = 1.0
ROUNDS = 3
REQUEST = json.dumps(
    {
        "model": "claude-haiku-4-5",
        "max_tokens": 1024,
        "stream": True,
        "messages": [{"role": "user", "content": "Write a long story about a lighthouse."}],
    }
).encode()


def _event(i: int) -> bytes:
    data = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": f"word{i} " * 8},
        "t": time.perf_counter_ns(),
    }
    return b"event: content_block_delta\ndata: " + json.dumps(data).encode() + b"\n\n"


def _head() -> bytes:
    start = {"type": "message_start", "message": {"id": "msg_bench", "type": "message",
             "role": "assistant", "model": "claude-haiku-4-5", "content": [],
             "stop_reason": None, "stop_sequence": None,
             "usage": {"input_tokens": 12, "output_tokens": 1}}}
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    return (
        b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n"
        + b"event: content_block_start\ndata: " + json.dumps(block).encode() + b"\n\n"
    )


def _tail() -> bytes:
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
             "usage": {"output_tokens": EVENTS * 8}}
    return (
        b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
        + b"event: message_delta\ndata: " + json.dumps(delta).encode() + b"\n\n"
        + b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )


async def _upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(_head())
    next_at = time.perf_counter()
    for i in range(EVENTS):
        next_at += PACE_MS / 1000
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        writer.write(_event(i))
        await writer.drain()
    writer.write(_tail())
    await writer.drain()
    writer.close()


async def _ticker(stop: asyncio.Event, stalls: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.001)
        stalls.append((time.perf_counter() - t - 0.001) * 1000)


async def _relay_once(port: int, record: bool, costs: list[float]) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"x")
    await writer.drain()
    rec = None
    if record:
        rec = recording.start_exchange(
            source="proxy", method="POST", path="/v1/messages",
            request_headers={"content-type": "application/json", "x-api-key": "sk-bench"},
            request_body=REQUEST, provider="bench", team_id=None,
        )
        rec.response_started(200, [("content-type", "text/event-stream")])
    parser = SSEParser()
    latencies = []
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        for ev in parser.feed(chunk):
            if rec is not None:
                t = time.perf_counter()
                rec.event(ev.raw, time.monotonic(), ev)
                costs.append((time.perf_counter() - t) * 1000)
            if ev.event == "content_block_delta":
                stamp = json.loads(ev.data)["t"]
                latencies.append((time.perf_counter_ns() - stamp) / 1e6)
    for ev in parser.close():
        if rec is not None:
            rec.event(ev.raw, time.monotonic(), ev)
    if rec is not None:
        rec.finish()
    writer.close()
    await writer.wait_closed()
    return latencies


_gc_pauses: list[float] = []


def _gc_probe(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_probe.t = time.perf_counter()
    else:
        _gc_pauses.append((time.perf_counter() - _gc_probe.t) * 1000)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * p), len(ordered) - 1)]


async def main() -> None:
    server = await asyncio.start_server(_upstream, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    base: list[float] = []
    with_rec: list[float] = []
    costs: list[float] = []
    stalls_base: list[float] = []
    stalls_rec: list[float] = []
    await _relay_once(port, True, [])  # warm up: connection, writer start, first sweep
    await recording.flush()
    for _ in range(ROUNDS):
        for record, sink, stalls in ((False, base, stalls_base), (True, with_rec, stalls_rec)):
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(stop, stalls))
            sink += await _relay_once(port, record, costs)
            if record:
                await recording.flush()
            stop.set()
            await ticker
    server.close()
    await server.wait_closed()

    print(f"database: {django.db.connection.vendor}; {ROUNDS} rounds x {EVENTS} events, "
          f"one every {PACE_MS} ms, loopback TCP")
    print(f"baseline latency/event   p50 {_pct(base, .5):.3f} ms   p99 {_pct(base, .99):.3f} ms")
    print(f"recording latency/event  p50 {_pct(with_rec, .5):.3f} ms   p99 {_pct(with_rec, .99):.3f} ms")
    print(f"added by recording       p50 {_pct(with_rec, .5) - _pct(base, .5):+.3f} ms   "
          f"p99 {_pct(with_rec, .99) - _pct(base, .99):+.3f} ms   (target p99 < 1 ms)")
    print(f"rec.event() caller cost  p50 {_pct(costs, .5) * 1000:.1f} us   "
          f"p99 {_pct(costs, .99) * 1000:.1f} us   mean {statistics.mean(costs) * 1000:.1f} us")
    print(f"loop stall (1 ms ticker) p99 baseline {_pct(stalls_base, .99):.3f} ms, "
          f"recording {_pct(stalls_rec, .99):.3f} ms; max baseline {max(stalls_base):.3f} ms, "
          f"recording {max(stalls_rec):.3f} ms")
    print(f"garbage collector: {len(_gc_pauses)} runs, longest {max(_gc_pauses, default=0):.1f} ms")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (figures are noisy above {os.cpu_count()})")
    health = recording.health()
    print(f"writer: {health['written_events']} events in {health['written_batches']} batches, "
          f"failed ops {health['failed_ops']}, dropped events {health['dropped_events']}")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    # Rendering migration states leaves thousands of model classes in reference cycles; a
    # server process never carries that, so collect it before measuring.
    gc.collect()
    gc.callbacks.append(_gc_probe)
    asyncio.run(main())
