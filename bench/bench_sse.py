"""SSE parse + accumulate over a long stream, against json.loads of the same payloads.

    .venv/bin/python bench/bench_sse.py [--tokens 300000] [--repeat 3]

The stream is the simulator's: its planner writes a 300,000-output-token answer (one
response of sim-1 is capped at 128k, so the planner is called directly) and the stream is
encoded exactly as the simulator sends it (message_to_events + encode_event). The body is
fed in 16 KiB chunks, as a socket would deliver it.

Figures printed:
* events per second for parse + accumulate on one core (best of --repeat runs, CPU time);
* the recorder's reading of the stream (`recording.tally.StreamTally`), CPU per event;
* the ratio to the floor: json.loads of every event's data string alone, timed in the same
  run (target: at most 2x);
* tracemalloc peak of parse + accumulate for a stream of half the size and the full size,
  against the output text size, and for the full output cut into 1-word deltas (about 3x
  the events): memory must grow with the output, not with the number of events.
* the same stream served by a loopback HTTP server through `upstream.open(...).events()` and
  the accumulator, against httpx reading the raw bytes alone.
Loopback only; bounded by --tokens and --repeat; stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()

from playground.contract.accumulate import Accumulator  # noqa: E402
from playground.contract.events import message_to_events  # noqa: E402
from playground.contract.sse import SSEParser, encode_event, parse_all  # noqa: E402
from playground.recording.tally import StreamTally  # noqa: E402
from playground.simulator.behaviour import plan_message  # noqa: E402

CHUNK = 16 * 1024


def make_stream(tokens: int, words_per_chunk: int = 3) -> tuple[bytes, int]:
    body = {
        "model": "sim-1",
        "max_tokens": tokens,
        "stream": True,
        "messages": [{"role": "user", "content": "Write a very long story about pelicans."}],
    }
    message = plan_message(body, seed="bench", output_tokens=tokens)
    text_bytes = sum(len(json.dumps(b, ensure_ascii=False).encode()) for b in message["content"])
    stream = b"".join(encode_event(name, data) for name, data in message_to_events(message, words_per_chunk=words_per_chunk))
    return stream, text_bytes


def chunks_of(stream: bytes) -> list[bytes]:
    return [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]


def parse_and_accumulate(chunks: list[bytes]) -> dict:
    parser = SSEParser()
    acc = Accumulator()
    add = acc.add_sse
    for chunk in chunks:
        for ev in parser.feed(chunk):
            add(ev)
    for ev in parser.close():
        add(ev)
    result = acc.finish()
    assert result.outcome == "completed", result.anomalies[:3]
    return result.message


def tally(chunks: list[bytes]) -> None:
    """The recorder's read of a relayed stream: numbered events and the rebuilt message."""
    stream = StreamTally()
    for chunk in chunks:
        stream.add_chunk(1.0, chunk)
    stream.close()
    assert stream.result().outcome == "completed"


def floor(payloads: list[str]) -> None:
    loads = json.loads
    for data in payloads:
        loads(data)


def best_of(repeat: int, fn, *args) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()  # CPU time: a busy machine inflates wall time
        fn(*args)
        best = min(best, time.process_time() - start)
    return best


def peak_memory(chunks: list[bytes]) -> int:
    gc.collect()
    tracemalloc.start()
    message = parse_and_accumulate(chunks)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del message
    return peak


async def loopback_lane(stream: bytes, events: int, repeat: int) -> None:
    """The same stream from a loopback HTTP server: upstream.open + events() + accumulate,
    against httpx reading the raw bytes alone (the transport floor), interleaved."""
    import httpx

    from playground import upstream
    from playground.providers.config import ProviderConfig

    head = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            + f"content-length: {len(stream)}\r\n\r\n".encode())

    handlers: set[asyncio.Task] = set()

    async def serve(reader, writer):
        handlers.add(asyncio.current_task())
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in request.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                writer.write(head + stream)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    provider = ProviderConfig(name="bench", base_url=f"http://127.0.0.1:{port}", allow_private_network=True)

    async def ours() -> float:
        start = time.perf_counter()
        acc = Accumulator()
        async with upstream.open(provider, "POST", "/v1/messages", body=b"{}") as resp:
            async for ev in resp.events():
                acc.add_sse(ev.sse)
        assert acc.finish().outcome == "completed"
        return time.perf_counter() - start

    async def floor_raw(client: httpx.AsyncClient) -> float:
        start = time.perf_counter()
        async with client.stream("POST", f"http://127.0.0.1:{port}/v1/messages", content=b"{}") as resp:
            async for _ in resp.aiter_raw():
                pass
        return time.perf_counter() - start

    best_ours = best_raw = float("inf")
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(repeat):
            best_ours = min(best_ours, await ours())
            best_raw = min(best_raw, await floor_raw(client))
    await upstream.aclose()
    # Both clients are closed: each handler reads EOF and returns on its own.
    if handlers:
        await asyncio.wait(handlers, timeout=5)
    server.close()
    await server.wait_closed()
    print(f"loopback, upstream.events + accumulate: {best_ours:.3f} s = {events / best_ours:,.0f} events/s")
    print(f"loopback, httpx aiter_raw alone:        {best_raw:.3f} s (ratio {best_ours / best_raw:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    stream, text_bytes = make_stream(args.tokens)
    chunks = chunks_of(stream)
    payloads = [ev.data for ev in parse_all(stream)]
    events = len(payloads)
    print(f"stream: {args.tokens} output tokens, {events} events, {len(stream) / 1e6:.1f} MB, "
          f"output {text_bytes / 1e6:.2f} MB")

    # Interleaved, best of each: the two see the same machine load.
    ours = base = float("inf")
    for _ in range(args.repeat):
        ours = min(ours, best_of(1, parse_and_accumulate, chunks))
        base = min(base, best_of(1, floor, payloads))
    print(f"parse+accumulate: {ours:.3f} s = {events / ours:,.0f} events/s ({len(stream) / ours / 1e6:.0f} MB/s)")
    print(f"floor json.loads: {base:.3f} s = {events / base:,.0f} events/s")
    print(f"ratio to floor:   {ours / base:.2f}x")
    recorder = min(best_of(1, tally, chunks) for _ in range(args.repeat))
    print(f"recorder's tally: {recorder:.3f} s = {recorder / events * 1e6:.2f} us per event")
    asyncio.run(loopback_lane(stream, events, args.repeat))

    half_stream, half_text = make_stream(args.tokens // 2)
    half_events = len(parse_all(half_stream))
    half_peak = peak_memory(chunks_of(half_stream))
    full_peak = peak_memory(chunks)
    print(f"memory peak, {args.tokens // 2} tokens: {half_peak / 1e6:.2f} MB for {half_text / 1e6:.2f} MB output, "
          f"{half_events} events ({half_peak / half_text:.2f} bytes per output byte)")
    print(f"memory peak, {args.tokens} tokens: {full_peak / 1e6:.2f} MB for {text_bytes / 1e6:.2f} MB output, "
          f"{events} events ({full_peak / text_bytes:.2f} bytes per output byte)")
    # Same output, three times the events: the peak must stay put.
    fine_stream, _ = make_stream(args.tokens, words_per_chunk=1)
    fine_events = len(parse_all(fine_stream))
    fine_peak = peak_memory(chunks_of(fine_stream))
    print(f"memory peak, {args.tokens} tokens in 1-word deltas: {fine_peak / 1e6:.2f} MB, {fine_events} events "
          f"(x{fine_events / events:.1f} events, x{fine_peak / full_peak:.2f} memory)")


if __name__ == "__main__":
    main()
