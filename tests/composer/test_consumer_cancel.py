"""Stop cancels a run at once, mid-stream or before the first byte, and records what arrived."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.composer.support import (
    connect,
    events_of,
    finished,
    frames_until,
    message_text,
    recorded,
    simple_request,
    streamed_text,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_stops_mid_stream_and_records_the_partial_answer(alice):
    comm = await connect(alice)
    slow = {"x-sim-delay-ms": "20", "x-sim-output-tokens": "400"}
    await comm.send_json_to({"action": "run", "run_id": "slow-1", "request": simple_request(), "headers": slow})
    frames = await frames_until(
        comm, lambda f: f["type"] == "run.events" and any(e["event"] == "content_block_delta" for e in f["events"])
    )
    await comm.send_json_to({"action": "stop", "run_id": "slow-1"})
    stopped_at = time.monotonic()
    frames += await frames_until(comm, finished, timeout=5)
    assert time.monotonic() - stopped_at < 1.0
    await comm.disconnect()

    done = frames[-1]
    assert done["outcome"] == "client_cancelled"
    partial = streamed_text(events_of(frames))
    assert partial and message_text(done["message"]) == partial
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.outcome == "client_cancelled"
    assert message_text(exchange.message) == partial
    assert exchange.message["stop_reason"] is None  # it never finished


async def test_it_cancels_while_the_upstream_is_silent_before_any_content(alice):
    from playground.simulator import engine

    comm = await connect(alice)
    # The simulator answers 200, sends message_start, then stays silent for 30 s.
    stall = {"x-sim-fault": "stall", "x-sim-fault-after": "0", "x-sim-stall-ms": "30000"}
    await comm.send_json_to({"action": "run", "run_id": "stall-1", "request": simple_request(), "headers": stall})
    started = await comm.receive_json_from(timeout=5)
    assert started["type"] == "run.started"
    await asyncio.sleep(0.3)
    assert engine.streams.active == 1  # generating (stalled) upstream
    await comm.send_json_to({"action": "stop", "run_id": "stall-1"})
    t0 = time.monotonic()
    frames = await frames_until(comm, finished, timeout=5)
    assert time.monotonic() - t0 < 1.0
    assert engine.streams.active == 0  # the upstream stopped generating
    await comm.disconnect()
    assert frames[-1]["outcome"] == "client_cancelled"
    assert [e["event"] for e in events_of(frames)] == ["message_start"]
    exchange = await recorded(started["exchange_id"])
    assert exchange.outcome == "client_cancelled"


async def test_it_ignores_a_stop_for_a_run_it_does_not_have(alice):
    comm = await connect(alice)
    await comm.send_json_to({"action": "stop", "run_id": "nothing-here"})
    assert await comm.receive_nothing(timeout=0.2)
    await comm.disconnect()
