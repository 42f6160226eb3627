"""The team live view: a teammate joins a running exchange mid-way and misses nothing."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from playground import recording
from playground.contract.events import message_to_events
from playground.contract.sse import SSEParser, encode_event
from tests.composer.support import (
    communicator,
    connect,
    frames_until,
    new_run_id,
    simple_request,
    team_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]

MESSAGE = {
    "id": "msg_01Live",
    "type": "message",
    "role": "assistant",
    "model": "sim-1",
    "content": [{"type": "text", "text": "Otters hold hands while they sleep so they do not drift apart. " * 6}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 90},
}


def sse_events() -> list:
    raw = b"".join(encode_event(name, data) for name, data in message_to_events(MESSAGE))
    parser = SSEParser()
    return parser.feed(raw) + parser.close()


def teammate(name: str = "carol"):
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    user = get_user_model().objects.create_user(name, password=f"{name}-password")
    add_member(ensure_team("acme"), user)
    return user


def live_done(frame: dict) -> bool:
    return frame["type"] == "live.finished"


def seqs(frames: list[dict]) -> list[int]:
    return [e["seq"] for f in frames if f["type"] == "live.events" for e in f["events"]]


def text_of(frames: list[dict]) -> str:
    return "".join(
        e["data"]["delta"].get("text", "")
        for f in frames if f["type"] == "live.events"
        for e in f["events"] if e["event"] == "content_block_delta"
    )


def start(alice):
    rec = recording.start_exchange(
        source="playground", request_headers={}, request_body=b'{"model": "sim-1", "stream": true}',
        provider="simulator", team_id=team_of(alice), user_id=alice.pk,
    )
    rec.response_started(200, [("content-type", "text/event-stream; charset=utf-8")])
    return rec


async def test_it_replays_the_beginning_then_follows_live(alice):
    carol = await database_sync_to_async(teammate)()
    events = sse_events()
    rec = await database_sync_to_async(start)(alice)
    for sse in events[:5]:
        rec.event(sse.raw, time.monotonic(), sse)
    await recording.flush()

    viewer = await connect(carol, f"/ws/exchanges/{rec.public_id}/live/")
    state = await viewer.receive_json_from(timeout=5)
    assert state["type"] == "live.state" and state["outcome"] == "streaming"
    replay = await viewer.receive_json_from(timeout=5)
    assert replay["type"] == "live.events" and replay["replay"] is True
    assert [e["seq"] for e in replay["events"]] == [0, 1, 2, 3, 4]

    for sse in events[5:]:
        rec.event(sse.raw, time.monotonic(), sse)
        await recording.flush()
    rec.finish()
    await recording.flush()
    frames = [replay, *await frames_until(viewer, live_done)]
    await viewer.disconnect()

    assert seqs(frames) == list(range(len(events)))  # every event once, in order
    assert text_of(frames) == MESSAGE["content"][0]["text"]
    assert frames[-1]["outcome"] == "completed"
    assert frames[-1]["message"]["content"] == MESSAGE["content"]


async def test_it_repairs_a_batch_the_channel_layer_dropped(alice, monkeypatch):
    carol = await database_sync_to_async(teammate)()
    events = sse_events()
    rec = await database_sync_to_async(start)(alice)
    for sse in events[:3]:
        rec.event(sse.raw, time.monotonic(), sse)
    await recording.flush()
    viewer = await connect(carol, f"/ws/exchanges/{rec.public_id}/live/")
    await viewer.receive_json_from(timeout=5)  # state
    assert seqs([await viewer.receive_json_from(timeout=5)]) == [0, 1, 2]

    # channels-redis drops silently when a channel is full: lose the next batch.
    layer = get_channel_layer()
    real_send = layer.group_send
    dropped = []

    async def lossy_send(group, message):
        if message.get("type") == "exchange.events" and not dropped:
            dropped.append(message["first_seq"])
            return
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", lossy_send)
    for sse in events[3:6]:
        rec.event(sse.raw, time.monotonic(), sse)
    await recording.flush()
    for sse in events[6:]:
        rec.event(sse.raw, time.monotonic(), sse)
    await recording.flush()
    rec.finish()
    await recording.flush()
    frames = await frames_until(viewer, live_done)
    await viewer.disconnect()

    assert dropped == [3]
    assert seqs(frames) == list(range(3, len(events)))


async def test_it_resyncs_from_a_seq_on_request(alice):
    events = sse_events()
    rec = await database_sync_to_async(start)(alice)
    for sse in events:
        rec.event(sse.raw, time.monotonic(), sse)
    rec.finish()
    await recording.flush()
    viewer = await connect(alice, f"/ws/exchanges/{rec.public_id}/live/")
    frames = await frames_until(viewer, live_done)
    assert seqs(frames) == list(range(len(events)))
    await viewer.send_json_to({"action": "resync", "from_seq": 4})
    again = await viewer.receive_json_from(timeout=5)
    await viewer.send_json_to({"action": "resync", "from_seq": "x"})
    refused = await viewer.receive_json_from(timeout=5)
    await viewer.disconnect()
    assert seqs([again]) == list(range(4, len(events)))
    assert refused["type"] == "live.error"


async def test_it_refuses_another_teams_exchange(alice, bob):
    rec = await database_sync_to_async(start)(alice)
    rec.finish()
    await recording.flush()
    for path in (f"/ws/exchanges/{rec.public_id}/live/", "/ws/exchanges/no-such-id/live/"):
        connected, _ = await communicator(bob, path).connect()
        assert not connected, path


async def test_a_second_viewer_joins_a_real_run_mid_way(alice):
    carol = await database_sync_to_async(teammate)()
    runner = await connect(alice)
    await runner.send_json_to(
        {"action": "run", "run_id": new_run_id(), "request": simple_request(),
         "headers": {"x-sim-delay-ms": "15", "x-sim-output-tokens": "120"}}
    )
    started = await runner.receive_json_from(timeout=5)
    run_frames = await frames_until(
        runner, lambda f: f["type"] == "run.events" and f["events"][-1]["seq"] >= 8
    )
    viewer = await connect(carol, f"/ws/exchanges/{started['exchange_id']}/live/")
    run_frames += await frames_until(runner, lambda f: f["type"] == "run.finished")
    await recording.flush()
    frames = await frames_until(viewer, live_done)
    await viewer.disconnect()
    await runner.disconnect()

    ran = [e for f in run_frames if f["type"] == "run.events" for e in f["events"]]
    assert seqs(frames) == [e["seq"] for e in ran]
    assert frames[-1]["outcome"] == "completed"
    assert frames[-1]["message"] == run_frames[-1]["message"]
