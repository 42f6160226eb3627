"""What one batch writes: an exchange that starts its response and finishes in the same batch
is updated once, and one that finishes later shows its status as soon as it starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from playground.contract.sse import encode_event
from playground.recording import ops, store
from playground.recording.models import Exchange
from tests.recording.helpers import team_of

REQUEST = json.dumps({"model": "sim-1", "max_tokens": 64, "stream": True,
                      "messages": [{"role": "user", "content": "hi"}]}).encode()
STREAM = b"".join([
    encode_event("message_start", {"type": "message_start", "message": {
        "id": "msg_b", "type": "message", "role": "assistant", "model": "sim-1", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 2, "output_tokens": 1}}}),
    encode_event("content_block_start", {"type": "content_block_start", "index": 0,
                                         "content_block": {"type": "text", "text": ""}}),
    encode_event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": "Hello"}}),
    encode_event("content_block_stop", {"type": "content_block_stop", "index": 0}),
    encode_event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                   "stop_sequence": None}, "usage": {"output_tokens": 3}}),
    encode_event("message_stop", {"type": "message_stop"}),
])


def _ops(public_id: str, team_id: int) -> tuple[ops.Create, ops.Response, ops.Chunks, ops.Finish]:
    create = ops.Create(public_id=public_id, source="proxy", method="POST", path="/v1/messages", query="",
                        request_headers=[("content-type", "application/json")], raw=REQUEST,
                        provider="simulator", team_id=team_id, user_id=None, proxy_key_name="k",
                        thread_hint="", secrets=(), started_at=datetime.now(UTC), boot_id="test")
    response = ops.Response(public_id, 200, [("content-type", "text/event-stream"), ("request-id", "req_b")],
                            4.5, "req_b")
    chunks = ops.Chunks(public_id)
    chunks.add(5.0, STREAM[:100])
    chunks.add(5.5, STREAM[100:])
    finish = ops.Finish(public_id, None, None, 6.0, datetime.now(UTC))
    return create, response, chunks, finish


def _exchange_updates(queries) -> int:
    return sum(q["sql"].lstrip().upper().startswith('UPDATE "RECORDING_EXCHANGE"') for q in queries)


@pytest.mark.django_db
def test_a_response_and_its_finish_in_one_batch_make_one_update(alice):
    create, response, chunks, finish = _ops("ex_batch_one", team_of(alice).id)
    with CaptureQueriesContext(connection) as ctx:
        result = store.write_batch([create, response, chunks, finish])
    assert not result.error and result.written_events == 6
    assert _exchange_updates(ctx.captured_queries) == 1
    row = Exchange.objects.get(public_id="ex_batch_one")
    assert (row.status, row.first_byte_ms, row.request_id) == (200, 4.5, "req_b")
    assert ["request-id", "req_b"] in [list(pair) for pair in row.response_headers]
    assert row.outcome == "completed" and row.message["content"][0]["text"] == "Hello"


@pytest.mark.django_db
def test_a_response_shows_its_status_before_a_later_finish(alice):
    create, response, chunks, finish = _ops("ex_batch_two", team_of(alice).id)
    store.write_batch([create, response, chunks])
    row = Exchange.objects.get(public_id="ex_batch_two")
    assert (row.status, row.first_byte_ms, row.outcome) == (200, 4.5, "streaming")
    with CaptureQueriesContext(connection) as ctx:
        store.write_batch([finish])
    assert _exchange_updates(ctx.captured_queries) == 1
    row.refresh_from_db()
    assert (row.status, row.request_id, row.outcome) == (200, "req_b", "completed")


@pytest.mark.django_db
def test_a_response_in_its_exchanges_first_batch_is_written_with_the_insert(alice):
    create, response, chunks, finish = _ops("ex_batch_insert", team_of(alice).id)
    with CaptureQueriesContext(connection) as ctx:
        store.write_batch([create, response, chunks])
    assert _exchange_updates(ctx.captured_queries) == 0
    row = Exchange.objects.get(public_id="ex_batch_insert")
    assert (row.status, row.first_byte_ms, row.request_id, row.outcome) == (200, 4.5, "req_b", "streaming")
    assert ["request-id", "req_b"] in [list(pair) for pair in row.response_headers]
    store.write_batch([finish])
    row.refresh_from_db()
    assert (row.status, row.request_id, row.outcome) == (200, "req_b", "completed")


def _exchange_inserts(queries) -> int:
    return sum(q["sql"].lstrip().upper().startswith('INSERT INTO "RECORDING_EXCHANGE"') for q in queries)


@pytest.mark.django_db
@pytest.mark.parametrize("returns_ids", [True, False])
def test_the_exchanges_a_batch_creates_are_inserted_together(alice, monkeypatch, returns_ids):
    # A database that cannot tell which ids a multi-row insert made (SQLite before 3.35)
    # gets one insert per exchange, and every exchange is still written whole.
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", returns_ids)
    team_id = team_of(alice).id
    batch = [op for n in range(3) for op in _ops(f"ex_burst_{n}", team_id)]
    with CaptureQueriesContext(connection) as ctx:
        result = store.write_batch(batch)
    assert not result.error and result.written_events == 18
    assert _exchange_inserts(ctx.captured_queries) == (1 if returns_ids else 3)
    for n in range(3):
        row = Exchange.objects.get(public_id=f"ex_burst_{n}")
        assert (row.status, row.outcome, row.event_count) == (200, "completed", 6)
        assert row.message["content"] == [{"type": "text", "text": "Hello"}]
