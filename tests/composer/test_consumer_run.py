"""A run streams over the socket: started, every event in order, finished, and it is recorded."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.composer.support import (
    communicator,
    connect,
    events_of,
    finished,
    frames_until,
    message_text,
    new_run_id,
    recorded,
    recorded_event_count,
    run_once,
    simple_request,
    streamed_text,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_streams_a_run_and_records_it(alice):
    run_id = new_run_id()
    frames = await run_once(
        alice,
        {"action": "run", "run_id": run_id, "request": simple_request(), "provider": None,
         "headers": {"anthropic-version": "2023-06-01"}, "thread": None},
    )

    started = frames[0]
    assert started["type"] == "run.started" and started["run_id"] == run_id
    assert started["model"] == "sim-1"
    assert started["exchange_url"] == f"/exchanges/{started['exchange_id']}/"
    events = events_of(frames)
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert events[0]["event"] == "message_start" and events[-1]["event"] == "message_stop"
    assert all(f["run_id"] == run_id for f in frames)

    done = frames[-1]
    assert done["outcome"] == "completed"
    assert done["status"] == 200
    assert done["stop_reason"] == "end_turn"
    assert done["error"] is None
    assert done["usage"]["output_tokens"] > 0
    assert done["ttft_ms"] is not None and done["ttft_ms"] >= 0
    assert message_text(done["message"]) == streamed_text(events) != ""

    exchange = await recorded(started["exchange_id"])
    assert exchange.outcome == "completed"
    assert exchange.source == "playground"
    assert exchange.stream is True
    assert exchange.team_id is not None and exchange.user_id == alice.pk
    assert exchange.message == done["message"]
    assert await recorded_event_count(started["exchange_id"]) == len(events)


async def test_it_forces_streaming_but_sends_the_body_otherwise_unchanged(alice):
    body = simple_request(stream=False, temperature=0.2, metadata={"user_id": "u-1"})
    frames = await run_once(alice, {"action": "run", "run_id": new_run_id(), "request": body})
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.request_body == {**body, "stream": True}


async def test_it_refuses_a_socket_without_a_user():
    from django.contrib.auth.models import AnonymousUser

    connected, _ = await communicator(AnonymousUser()).connect()
    assert not connected


async def test_it_records_for_the_team_chosen_in_the_session(alice):
    from playground.teams.ops import add_member, ensure_team

    def join_globex():
        team = ensure_team("globex")
        add_member(team, alice)
        return team.pk

    globex = await database_sync_to_async(join_globex)()
    comm = communicator(alice, session={"team_id": globex})
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"action": "run", "run_id": new_run_id(), "request": simple_request()})
    frames = await frames_until(comm, finished)
    await comm.disconnect()
    assert (await recorded(frames[0]["exchange_id"])).team_id == globex


async def test_it_refuses_a_second_run_with_the_same_id_and_too_many_runs(alice):
    from playground.composer.consumers import MAX_RUNS

    comm = await connect(alice)
    slow = {"x-sim-delay-ms": "50", "x-sim-output-tokens": "400"}
    for i in range(MAX_RUNS):
        await comm.send_json_to({"action": "run", "run_id": f"many-{i}", "request": simple_request(), "headers": slow})
    await comm.send_json_to({"action": "run", "run_id": "many-0", "request": simple_request()})
    await comm.send_json_to({"action": "run", "run_id": "one-too-many", "request": simple_request()})
    rejected = await frames_until(comm, lambda f: f["type"] == "run.rejected" and f["run_id"] == "one-too-many")
    reasons = {f["run_id"]: f["error"]["message"] for f in rejected if f["type"] == "run.rejected"}
    assert "already running" in reasons["many-0"]
    assert f"at most {MAX_RUNS}" in reasons["one-too-many"]
    await comm.disconnect()  # cancels the eight runs
