"""The writer: off the hot path, batched, broadcast live, and never breaking a stream."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import OperationalError, connection

from playground import recording
from playground.recording import ops, store, writer
from playground.recording.events import event_count, raw_stream
from playground.recording.models import Exchange
from tests.conftest import load_capture
from tests.recording.helpers import sse_events, team_of

CAPTURE = load_capture("04_stream_thinking_enabled_then_text.json")


def _start(team_id: int):
    return recording.start_exchange(
        source="playground",
        method="POST",
        path="/v1/messages",
        request_headers={"content-type": "application/json"},
        request_body=json.dumps(CAPTURE["request"]).encode(),
        provider="simulator",
        team_id=team_id,
    )


async def _receive_all(layer, channel: str) -> list[dict]:
    got = []
    wait = 2.0
    while True:
        try:
            got.append(await asyncio.wait_for(layer.receive(channel), wait))
        except TimeoutError:
            return got
        wait = 0.3


@pytest.mark.django_db(transaction=True)
async def test_it_broadcasts_coalesced_events_and_changes(alice):
    team = await sync_to_async(team_of)(alice)
    # The counters are per process: an earlier test may have counted a deliberate failure.
    before = recording.health()
    layer = get_channel_layer()
    team_channel = await layer.new_channel()
    await layer.group_add(f"exchanges.team.{team.id}", team_channel)
    rec = _start(team.id)
    live = await layer.new_channel()
    await layer.group_add(f"exchange.{rec.public_id}", live)
    rec.response_started(200, [("request-id", "req_1")])
    events = sse_events(CAPTURE["response_sse"].encode(), chunk=7)
    for ev in events:
        rec.event(ev.raw, time.monotonic(), ev)
    rec.finish()
    await recording.flush()

    messages = [m for m in await _receive_all(layer, live) if m["type"] == "exchange.events"]
    # One notice per written batch, far fewer than events, each starting where the last
    # ended: together they name every event once, in order.
    seqs = [seq for m in messages for seq in range(m["first_seq"], m["last_seq"] + 1)]
    assert seqs == list(range(len(events)))
    assert len(messages) < len(events) / 4
    changed = await _receive_all(layer, team_channel)
    assert [m["type"] for m in changed] == ["exchange.changed", "exchange.changed"]
    assert {m["public_id"] for m in changed} == {rec.public_id}

    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert exchange.outcome == "completed"
    assert exchange.message["content"][0]["type"] == "thinking"
    assert await sync_to_async(event_count)(exchange) == len(events)
    assert await sync_to_async(raw_stream)(exchange) == CAPTURE["response_sse"].encode()
    after = recording.health()
    assert after["failed_ops"] == before["failed_ops"]
    assert after["dropped_events"] == before["dropped_events"]


@pytest.mark.django_db(transaction=True)
async def test_it_never_makes_the_caller_wait(alice):
    team = await sync_to_async(team_of)(alice)
    raw = CAPTURE["response_sse"].encode()
    parsed = sse_events(raw)
    rec = _start(team.id)
    rec.response_started(200, [])
    costs = []
    for i in range(2000):
        ev = parsed[i % len(parsed)]
        t = time.perf_counter()
        rec.event(ev.raw, time.monotonic(), ev)
        costs.append(time.perf_counter() - t)
        if i % 50 == 0:
            await asyncio.sleep(0)  # let the writer run, as a real relay would between reads
    rec.finish(outcome="client_cancelled")
    await recording.flush()
    costs.sort()
    # The writer's thread may hold the GIL for a switch interval (5 ms) now and then; the
    # typical call is a list append. The paced lane of bench/bench_proxy.py measures properly.
    assert costs[len(costs) // 2] < 0.0002
    assert costs[int(len(costs) * 0.99)] < 0.002
    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert exchange.event_count == 2000
    assert exchange.outcome == "client_cancelled"


def _break_events_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE recording_eventrun RENAME TO recording_eventrun_away")
    connection.close()  # this runs on a pool thread: leave no connection behind


def _restore_events_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE recording_eventrun_away RENAME TO recording_eventrun")
    connection.close()


@pytest.mark.django_db(transaction=True)
async def test_it_counts_a_database_failure_and_keeps_going(alice):
    team = await sync_to_async(team_of)(alice)
    before = recording.health()
    rec = _start(team.id)
    await recording.flush()  # the exchange row exists; now the events table goes away
    await sync_to_async(_break_events_table, thread_sensitive=False)()
    try:
        rec.response_started(200, [])
        for ev in sse_events(CAPTURE["response_sse"].encode()):
            rec.event(ev.raw, time.monotonic(), ev)  # never raises for the stream
        rec.finish()
        await recording.flush()
    finally:
        await sync_to_async(_restore_events_table, thread_sensitive=False)()
    health = recording.health()
    assert health["failed_ops"] > before["failed_ops"]
    assert health["dropped_events"] > before["dropped_events"]
    assert not health["ok"] and health["last_error"]
    # What could be written was: the exchange is finished, its message rebuilt from memory.
    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert exchange.outcome == "completed" and exchange.message["content"]
    # The next exchange records normally.
    again = _start(team.id)
    again.response_started(200, [])
    again.finish(outcome="client_cancelled")
    await recording.flush()
    assert (await Exchange.objects.aget(public_id=again.public_id)).outcome == "client_cancelled"


def _record_from_a_thread(team_id: int) -> str:
    # A sync view or management code running in a worker thread while the loop runs.
    rec = _start(team_id)
    rec.response_started(200, [])
    for ev in sse_events(CAPTURE["response_sse"].encode()):
        rec.event(ev.raw, time.monotonic(), ev)
    rec.finish()
    recording.flush_sync()
    outcome = Exchange.objects.get(public_id=rec.public_id).outcome
    connection.close()
    return outcome


@pytest.mark.django_db(transaction=True)
async def test_it_takes_work_from_other_threads_through_the_loop(alice):
    team = await sync_to_async(team_of)(alice)
    _start(team.id)  # the writer now runs on this loop
    outcome = await sync_to_async(_record_from_a_thread, thread_sensitive=False)(team.id)
    assert outcome == "completed"
    await recording.flush()


@pytest.mark.django_db(transaction=True)
async def test_it_stores_a_huge_event_whole_and_announces_it_without_its_bytes(alice):
    team = await sync_to_async(team_of)(alice)
    layer = get_channel_layer()
    rec = _start(team.id)
    live = await layer.new_channel()
    await layer.group_add(f"exchange.{rec.public_id}", live)
    rec.response_started(200, [])
    huge = b'event: ping\ndata: {"type": "ping", "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}\n\n'
    for ev in sse_events(huge):
        rec.event(ev.raw, time.monotonic(), ev)
    rec.finish(outcome="incomplete")
    await recording.flush()
    sent = [m for m in await _receive_all(layer, live) if m["type"] == "exchange.events"]
    assert [(m["first_seq"], m["last_seq"]) for m in sent] == [(0, 0)]
    assert len(repr(sent)) < 1000
    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert await sync_to_async(raw_stream)(exchange) == huge


@pytest.mark.django_db(transaction=True)
async def test_a_queue_full_of_bytes_refuses_more_stream_data(alice, bob, monkeypatch):
    from playground import runpath
    from playground.recording import writer

    acme, globex = await sync_to_async(team_of)(alice), await sync_to_async(team_of)(bob)
    monkeypatch.setattr(writer, "MAX_PENDING_BYTES", 100_000)
    before = recording.health()["dropped_events"]
    recs = [_start(acme.id), _start(globex.id)]
    # No await in between: the writer cannot drain, as when the database is far behind.
    for rec in recs:  # each team within its share (a third: two teams have work queued)
        rec.chunk(b"x" * 30_000, time.monotonic())
        rec.chunk(b"x" * 30_000, time.monotonic())
    assert recording.health()["queue_bytes"] >= 100_000
    assert writer.saturated() == "the recording queue is full"
    assert runpath.recorder_saturated(globex.id) == "the recording queue is full"
    recs[0].chunk(b"y" * 10, time.monotonic())
    assert recording.health()["dropped_events"] == before + 1
    for rec in recs:
        rec.finish(outcome="incomplete")
    await recording.flush()
    assert not writer.saturated()


@pytest.mark.django_db(transaction=True)
async def test_one_teams_heavy_streaming_leaves_room_for_every_other_team(alice, bob, monkeypatch):
    from playground.recording import writer

    acme, globex = await sync_to_async(team_of)(alice), await sync_to_async(team_of)(bob)
    monkeypatch.setattr(writer, "MAX_PENDING_BYTES", 100_000)
    before = recording.health()["dropped_events"]
    heavy = [_start(acme.id) for _ in range(3)]
    for rec in heavy:  # no await: the writer cannot drain
        rec.chunk(b"x" * 30_000, time.monotonic())
    # acme holds half the queue (all of its share while alone); its third stream's data is
    # dropped, and it may start no more recordings, but globex may.
    assert recording.health()["dropped_events"] == before + 1
    assert recording.health()["queue_bytes"] < 100_000
    assert writer.saturated(acme.id) == "this team's share of the recording queue is full"
    assert writer.saturated(globex.id) == ""
    light = _start(globex.id)
    light.chunk(b"y" * 20_000, time.monotonic())
    assert recording.health()["dropped_events"] == before + 1
    for rec in [*heavy, light]:
        rec.finish(outcome="incomplete")
    await recording.flush()
    assert writer.saturated(acme.id) == writer.saturated(globex.id) == ""
    assert await Exchange.objects.filter(team=globex, outcome="incomplete").acount() == 1


@pytest.mark.django_db(transaction=True)
async def test_a_burst_goes_to_the_database_in_slices_in_order(alice, monkeypatch):
    from playground.recording import writer

    team = await sync_to_async(team_of)(alice)
    monkeypatch.setattr(writer, "MAX_BATCH_BYTES", 600)
    before = recording.health()["written_batches"]
    stream = CAPTURE["response_sse"].encode()
    rec = _start(team.id)
    rec.response_started(200, [("content-type", "text/event-stream")])
    # Queued all at once (a stream relayed faster than it is written), in 500-byte pieces.
    for i in range(0, len(stream), 500):
        rec.chunk(stream[i : i + 500], time.monotonic())
    rec.finish()
    await recording.flush()
    assert recording.health()["written_batches"] - before >= 3  # 3.5 kB, two pieces a batch
    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert exchange.outcome == "completed"
    assert await sync_to_async(raw_stream)(exchange) == stream


@pytest.mark.django_db(transaction=True)
async def test_stream_reads_travel_as_one_buffer_per_exchange_and_keep_their_times(alice):
    from playground.recording import writer
    from playground.recording.events import iter_events

    team = await sync_to_async(team_of)(alice)
    stream = CAPTURE["response_sse"].encode()
    events = sse_events(stream)
    rec = _start(team.id)
    rec.response_started(200, [("content-type", "text/event-stream")])
    t0 = time.monotonic()
    for i, ev in enumerate(events):  # one read per event, 10 ms apart on the clock
        rec.chunk(ev.raw, t0 + i * 0.010)
    queued = writer._writer.pending
    buffers = [op for op in queued if isinstance(op, ops.Chunks)]
    assert len(buffers) == 1 and buffers[0].reads == [ev.raw for ev in events]
    rec.finish()
    await recording.flush()
    exchange = await Exchange.objects.aget(public_id=rec.public_id)
    assert exchange.outcome == "completed"
    recorded = await sync_to_async(lambda: list(iter_events(exchange)))()
    assert b"".join(e.raw_bytes for e in recorded) == stream
    gaps = [b.offset_ms - a.offset_ms for a, b in zip(recorded, recorded[1:], strict=False)]
    assert all(9.0 <= gap <= 11.0 for gap in gaps), gaps


async def test_a_batch_stays_within_the_cap_unless_one_operation_is_larger(monkeypatch):
    from playground.recording import writer

    monkeypatch.setattr(writer, "MAX_BATCH_BYTES", 1000)
    w = writer.Writer(asyncio.get_running_loop())
    w.task.cancel()  # driven by hand here
    for i in range(6):
        w.put_chunk(f"ex{i % 2}", float(i), b"x" * 400)  # buffers close at 1000 bytes
    w.put(ops.Body("ex0", b"y" * 2500))
    sizes = []
    while w.pending:
        batch, _more = w._take_batch()
        sizes.append(sum(op.size for op in batch))
    assert sizes[-1] == 2500  # alone: larger than the cap
    assert all(size <= 1000 for size in sizes[:-1]) and sum(sizes) == 6 * 400 + 2500
    assert w.pending_bytes == 0



@pytest.fixture
def outage(monkeypatch):
    """The database unreachable until `back()` is called; nothing left waiting afterwards."""
    real_apply = store._apply

    def unreachable(*args, **kwargs):
        raise OperationalError("the server closed the connection unexpectedly")

    def back() -> None:
        monkeypatch.setattr(store, "_apply", real_apply)
        monkeypatch.setattr(store, "_reachable", lambda: True)

    monkeypatch.setattr(store, "_apply", unreachable)
    monkeypatch.setattr(store, "_reachable", lambda: False)
    yield back
    store._parked.clear()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_keeps_all_but_the_events_for_when_it_is_back(alice, outage):
    team = team_of(alice)
    before = recording.health()
    # The database goes away before the exchange's first write and comes back after its end.
    rec = _start(team.id)
    rec.response_started(200, [])
    events = sse_events(CAPTURE["response_sse"].encode())
    for ev in events:
        rec.event(ev.raw, time.monotonic(), ev)
    rec.finish()
    assert not Exchange.objects.filter(public_id=rec.public_id).exists()
    assert store.parked() >= 3  # the create, the response's start and the finish wait
    assert writer.health()["parked_ops"] == store.parked()

    outage()
    store.write_batch([])
    assert store.parked() == 0
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.outcome == "completed" and exchange.message["content"]
    assert exchange.status == 200
    assert event_count(exchange) == 0
    health = recording.health()
    assert health["dropped_events"] >= before["dropped_events"] + len(events)
    assert not health["ok"]
