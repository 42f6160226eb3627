"""Runs with value sets: the resolved request is sent and recorded, linked back to the saved
request, version and value set; a missing value refuses the run; the evaluation grid runs
one recorded exchange per value set and stops as a whole."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from playground.composer import saving, workcopies
from playground.library.models import RunOrigin, SavedRequest
from playground.teams.models import Team
from tests.composer.support import (
    connect,
    frames_until,
    message_text,
    new_run_id,
    recorded,
    run_once,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]

TEMPLATE = {"model": "sim-1", "max_tokens": 200, "messages": [{"role": "user", "content": "Weather in {{city}}, please."}]}
SETS = [{"name": "paris", "values": {"city": "Paris"}}, {"name": "oslo", "values": {"city": "Oslo"}}]


def _saved_copy(user) -> tuple[str, int]:
    """A working copy saved to the library twice (so it is at version 2): (copy id, saved pk)."""
    team = Team.objects.get(name="acme")
    state = {"request": TEMPLATE, "variables": {"sets": SETS, "active": "paris"}}
    copy = workcopies.open_working_copy(user, team, state, "Weather")
    saving.save_copy(copy, user, state, "Weather")
    saving.save_copy(copy, user, {**state, "notes": "v2"}, "Weather", message="second")
    return copy.public_id, copy.saved_request_id


async def test_a_run_sends_the_resolved_request_and_links_back(alice):
    copy_id, saved_pk = await database_sync_to_async(_saved_copy)(alice)
    frames = await run_once(alice, {
        "action": "run", "run_id": new_run_id(), "request": TEMPLATE, "copy": copy_id,
        "variables": {"set": "oslo", "values": {"city": "Oslo"}},
    })
    done = frames[-1]
    assert done["outcome"] == "completed" and done["duration_ms"] > 0
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.request_body["messages"][0]["content"] == "Weather in Oslo, please."
    origin = await database_sync_to_async(RunOrigin.objects.get)(exchange_id=exchange.public_id)
    assert (origin.saved_request_id, origin.version_number, origin.value_set) == (saved_pk, 2, "oslo")
    saved = await database_sync_to_async(SavedRequest.objects.get)(pk=saved_pk)
    assert saved.last_exchange_id == exchange.public_id and saved.last_outcome == "completed"


async def test_a_placeholder_without_a_value_refuses_the_run_and_records_nothing(alice):
    from playground.recording.models import Exchange

    before = await database_sync_to_async(Exchange.objects.count)()
    frames = await run_once(alice, {
        "action": "run", "run_id": new_run_id(), "request": TEMPLATE,
        "variables": {"set": "empty", "values": {"town": "x"}},
    })
    done = frames[-1]
    assert done["type"] == "run.finished" and done["outcome"] == "rejected"
    assert "{{city}}" in done["error"]["message"] and "messages[0].content" in done["error"]["message"]
    assert "'empty'" in done["error"]["message"]
    assert await database_sync_to_async(Exchange.objects.count)() == before


async def test_without_value_sets_a_placeholder_is_sent_as_written(alice):
    frames = await run_once(alice, {"action": "run", "run_id": new_run_id(), "request": TEMPLATE})
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.request_body["messages"][0]["content"] == "Weather in {{city}}, please."
    assert not await database_sync_to_async(RunOrigin.objects.filter(exchange_id=exchange.public_id).exists)()


async def test_the_grid_records_one_linked_exchange_per_value_set(alice):
    copy_id, saved_pk = await database_sync_to_async(_saved_copy)(alice)
    run_id = new_run_id()
    frames = await run_once(
        alice,
        {"action": "grid", "run_id": run_id, "request": TEMPLATE, "copy": copy_id, "sets": SETS},
        until=lambda f: f["type"] == "grid.finished",
    )
    finished = {f["row"]: f for f in frames if f["type"] == "run.finished"}
    assert set(finished) == {0, 1}
    assert [finished[i]["value_set"] for i in (0, 1)] == ["paris", "oslo"]
    for row, city in ((0, "Paris"), (1, "Oslo")):
        assert finished[row]["outcome"] == "completed"
        exchange = await recorded(finished[row]["exchange_id"])
        assert exchange.request_body["messages"][0]["content"] == f"Weather in {city}, please."
        assert city in message_text(finished[row]["message"])  # the simulator quotes the task
        origin = await database_sync_to_async(RunOrigin.objects.get)(exchange_id=exchange.public_id)
        assert (origin.saved_request_id, origin.version_number, origin.value_set) == (saved_pk, 2, SETS[row]["name"])
    assert frames[-1] == {"type": "grid.finished", "run_id": run_id, "rows": 2}


async def test_the_grid_refuses_only_the_rows_missing_a_value(alice):
    sets = [{"name": "full", "values": {"city": "Rome"}}, {"name": "empty", "values": {}}]
    frames = await run_once(
        alice,
        {"action": "grid", "run_id": new_run_id(), "request": TEMPLATE, "sets": sets},
        until=lambda f: f["type"] == "grid.finished",
    )
    finished = {f["row"]: f for f in frames if f["type"] == "run.finished"}
    assert finished[0]["outcome"] == "completed"
    assert finished[1]["outcome"] == "rejected" and "{{city}}" in finished[1]["error"]["message"]


async def test_stop_stops_every_row_and_rows_not_started_never_start(alice, monkeypatch):
    from playground.composer import consumers

    monkeypatch.setattr(consumers, "GRID_PARALLEL", 1)
    sets = [{"name": f"s{i}", "values": {"city": f"C{i}"}} for i in range(3)]
    comm = await connect(alice)
    await comm.send_json_to({
        "action": "grid", "run_id": "grid-stop", "request": TEMPLATE, "sets": sets,
        "headers": {"x-sim-delay-ms": "20", "x-sim-output-tokens": "400"},
    })
    frames = await frames_until(comm, lambda f: f["type"] == "run.events")
    await comm.send_json_to({"action": "stop", "run_id": "grid-stop"})
    frames += await frames_until(comm, lambda f: f["type"] == "grid.finished")
    await comm.disconnect()
    finished = {f["row"]: f for f in frames if f["type"] == "run.finished"}
    assert finished[0]["outcome"] == "client_cancelled" and finished[0]["exchange_id"]
    assert [finished[i]["outcome"] for i in (1, 2)] == ["client_cancelled"] * 2
    assert finished[1]["exchange_id"] is None and finished[2]["exchange_id"] is None


async def test_a_copy_of_another_user_links_nothing(alice, bob):
    copy_id, _ = await database_sync_to_async(_saved_copy)(alice)
    frames = await run_once(bob, {
        "action": "run", "run_id": new_run_id(), "request": TEMPLATE, "copy": copy_id,
        "variables": {"set": "paris", "values": {"city": "Paris"}},
    })
    exchange = await recorded(frames[0]["exchange_id"])
    assert not await database_sync_to_async(RunOrigin.objects.filter(exchange_id=exchange.public_id).exists)()
