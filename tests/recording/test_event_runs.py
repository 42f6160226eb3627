"""Events stored in runs read back exactly as single events, whatever the run boundaries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from playground import recording
from playground.contract.sse import encode_event
from playground.recording import events as recorded
from playground.recording.models import EventRun, Exchange
from playground.recording.store import make_run
from tests.recording.helpers import team_of


def _stream(n: int) -> list[bytes]:
    out = [encode_event("message_start", {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "sim-1", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}})]
    out.append(encode_event("content_block_start", {"type": "content_block_start", "index": 0,
                                                    "content_block": {"type": "text", "text": ""}}))
    out += [encode_event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": f"w{i} "}})
            for i in range(n)]
    out.append(encode_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    out.append(encode_event("message_delta", {"type": "message_delta", "delta": {
        "stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": n}}))
    out.append(encode_event("message_stop", {"type": "message_stop"}))
    return out


def _record_in_batches(alice, stream: list[bytes], pause_ms: float) -> tuple[Exchange, list[bytes]]:
    """Writes three runs directly, as the writer would, with a pause before the third."""
    ex = Exchange.objects.create(public_id=f"ex_{len(stream)}", team=team_of(alice), source="proxy",
                                 method="POST", path="/v1/messages",
                                 started_at="2026-01-01T00:00:00Z")
    thirds = [stream[:10], stream[10:25], stream[25:]]
    seq, offset = 0, 0.0
    for n, part in enumerate(thirds):
        items = []
        for raw in part:
            offset += pause_ms if (n == 2 and not items) else 2.0
            items.append((offset, raw.split(b"\n", 1)[0][7:].decode(), raw, True))
        make_run(ex.pk, seq, items).save()
        seq += len(items)
    return ex, stream


@pytest.mark.django_db
def test_pages_cut_across_runs_give_exact_events(alice):
    ex, stream = _record_in_batches(alice, _stream(40), pause_ms=5000)
    assert EventRun.objects.filter(exchange=ex).count() == 3
    assert recorded.event_count(ex) == len(stream)
    page = recorded.events_between(ex, 8, 27)
    assert [e.seq for e in page] == list(range(8, 27))
    assert [e.raw_bytes for e in page] == stream[8:27]
    assert recorded.event_at(ex, 25).raw_bytes == stream[25]
    assert recorded.event_at(ex, len(stream)) is None
    assert [e.seq for e in recorded.events_after(ex, 20, 3)] == [21, 22, 23]
    assert recorded.raw_stream(ex) == b"".join(stream)
    assert [e.raw_bytes for e in recorded.iter_events(ex)] == stream


@pytest.mark.django_db
def test_offsets_gaps_and_names_come_from_the_index(alice):
    ex, stream = _record_in_batches(alice, _stream(40), pause_ms=5000)
    offsets = dict(recorded.offsets_of(ex, [0, 9, 10, 25, 44, 999]))
    assert offsets == {0: 2.0, 9: 20.0, 10: 22.0, 25: 5050.0, 44: 5088.0}
    assert recorded.gaps(ex, 1000, limit=10) == [(25, 5000.0)]
    assert recorded.first_named(ex, "content_block_delta") == (2, 6.0)
    assert recorded.first_named(ex, "nothing") is None


@pytest.mark.django_db(transaction=True)
def test_the_writer_stores_a_chunked_stream_in_runs_byte_for_byte(alice):
    stream = _stream(300)
    whole = b"".join(stream)
    rec = recording.start_exchange(source="proxy", request_body=b'{"model":"sim-1"}',
                                   team_id=team_of(alice).id)
    rec.response_started(200, [("content-type", "text/event-stream")])
    # Chunks cut anywhere, written in several batches (a sync caller writes at once).
    for start in range(0, len(whole), 997):
        rec.chunk(whole[start : start + 997], None)
    rec.finish()
    ex = Exchange.objects.get(public_id=rec.public_id)
    assert ex.outcome == "completed"
    assert ex.event_count == len(stream)
    assert EventRun.objects.filter(exchange=ex).count() > 1
    assert [e.raw_bytes for e in recorded.iter_events(ex)] == stream
    assert ex.message["content"][0]["text"] == "".join(f"w{i} " for i in range(300))


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_event_rows_into_runs(alice):
    executor = MigrationExecutor(connection)
    executor.migrate([("recording", "0006_response_raw")])
    try:
        _old_rows_then_migrate()
    finally:
        # Whatever happened, leave the schema as the other tests expect it.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    new = Exchange.objects.get(public_id="ex_old")
    assert EventRun.objects.filter(exchange=new).count() == 2  # runs of 1,000 events
    events = list(recorded.iter_events(new))
    stream = _old_stream()
    assert [e.raw_bytes for e in events] == stream
    assert [e.offset_ms for e in events] == [i * 1.5 for i in range(len(stream))]
    assert events[5].non_utf8 and "\ufffd" in events[5].raw
    assert [e.terminated for e in events].count(False) == 1 and not events[-1].terminated


BAD = b"event: ping\ndata: \xff\x00\n\n"


def _old_stream() -> list[bytes]:
    stream = _stream(1200)
    stream[-1] = stream[-1][:-2]  # the last event cut before its blank line
    stream[5] = BAD
    return stream


def _old_rows_then_migrate() -> None:
    apps = MigrationExecutor(connection).loader.project_state([("recording", "0006_response_raw")]).apps
    OldExchange = apps.get_model("recording", "Exchange")
    OldEvent = apps.get_model("recording", "ExchangeEvent")
    ex = OldExchange.objects.create(public_id="ex_old", source="proxy", method="POST",
                                    path="/v1/messages", started_at="2026-01-01T00:00:00Z")
    stream = _old_stream()
    # As the recorder stored them: text with U+FFFD (NUL included), exact bytes beside.
    OldEvent.objects.bulk_create([
        OldEvent(exchange=ex, seq=i, offset_ms=i * 1.5, event=raw.split(b"\n", 1)[0][7:].decode(),
                 raw=raw.decode("utf-8", "replace").replace("\x00", "\ufffd"),
                 raw_bytes=raw if raw == BAD else None, non_utf8=raw == BAD,
                 terminated=i != len(stream) - 1)
        for i, raw in enumerate(stream)
    ])


@pytest.mark.django_db
def test_a_gap_left_by_a_lost_batch_is_skipped_not_waited_for(alice):
    ex = Exchange.objects.create(public_id="ex_gap", team=team_of(alice), source="proxy",
                                 method="POST", path="/v1/messages", started_at="2026-01-01T00:00:00Z")
    stream = _stream(20)
    make_run(ex.pk, 0, [(1.0, "x", raw, True) for raw in stream[:10]]).save()
    make_run(ex.pk, 20, [(2.0, "x", raw, True) for raw in stream[10:20]]).save()
    assert [e.seq for e in recorded.events_after(ex, 5, 10)] == [6, 7, 8, 9, 20, 21, 22, 23, 24, 25]
    assert [e.seq for e in recorded.events_between(ex, 8, 22)] == [8, 9, 20, 21]
