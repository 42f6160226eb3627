"""Streaming through upstream.open from a real loopback server: each event's raw bytes,
arrival times, and the same Message the accumulator builds from the capture itself."""

from __future__ import annotations

import pytest

from playground import upstream
from playground.contract.accumulate import Accumulator, accumulate
from playground.contract.sse import parse_all
from tests.conftest import load_capture
from tests.upstream.conftest import CAPTURE_FILES


@pytest.mark.parametrize("code", sorted(CAPTURE_FILES))
async def test_it_streams_each_event_byte_for_byte(capture_server, code):
    body = load_capture(CAPTURE_FILES[code])["response_sse"].encode()
    provider = capture_server.provider(f"sse-{code}")
    acc = Accumulator()
    raws, times = [], []
    async with upstream.open(provider, "POST", "/v1/messages", body=b'{"stream":true}') as resp:
        assert resp.status == 200
        assert resp.request_id == "req_011CTestCapture"
        assert ("content-type", "text/event-stream; charset=utf-8") in resp.headers
        async for ev in resp.events():
            raws.append(ev.raw)
            times.append(ev.t)
            acc.add_sse(ev.sse)
    assert b"".join(raws) == body
    assert times == sorted(times)
    result = acc.finish()
    assert result.outcome == "completed"
    assert result.message == accumulate(parse_all(body)).message


async def test_it_yields_raw_chunks_that_join_to_the_body(capture_server):
    body = load_capture(CAPTURE_FILES["04"])["response_sse"].encode()
    async with upstream.open(capture_server.provider("sse-04"), "POST", "/v1/messages", body=b"{}") as resp:
        chunks = [chunk async for chunk in resp.aiter_raw()]
    assert b"".join(chunks) == body


async def test_it_ends_a_cut_stream_with_what_arrived(capture_server):
    async with upstream.open(capture_server.provider("cut"), "POST", "/v1/messages", body=b"{}") as resp:
        events = [ev async for ev in resp.events()]
        assert resp.transport_error is not None
    result = accumulate([ev.sse for ev in events])
    assert result.outcome == "incomplete"
    assert result.message["content"][0]["text"].startswith("Let me search")


async def test_it_reuses_one_pooled_connection(capture_server):
    provider = capture_server.provider("sse-02")
    for _ in range(3):
        async with upstream.open(provider, "POST", "/v1/messages", body=b"{}") as resp:
            await resp.aread()
    assert capture_server.connections == 1
    assert len(capture_server.requests) == 3


async def test_it_hangs_up_on_the_upstream_when_the_reader_is_cancelled(capture_server):
    import asyncio

    seen = []
    three = asyncio.Event()

    async def read():
        async with upstream.open(capture_server.provider("slow"), "POST", "/v1/messages", body=b"{}") as resp:
            async for ev in resp.events():
                seen.append(ev)
                if len(seen) == 3:
                    three.set()

    task = asyncio.ensure_future(read())
    await asyncio.wait_for(three.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The provider sees the connection close, so generation (and billing) stops there.
    await asyncio.wait_for(capture_server.hung_up.wait(), 2)
