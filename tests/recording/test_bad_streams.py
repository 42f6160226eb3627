"""Hostile streams are recorded raw and flagged, never dropped and never a crash."""

from __future__ import annotations

import json

from playground import recording
from playground.recording.events import iter_events
from playground.recording.models import Exchange
from tests.conftest import load_capture
from tests.recording.helpers import record, team_of

BODY = {"model": "claude-haiku-4-5", "max_tokens": 16, "stream": True,
        "messages": [{"role": "user", "content": "hi"}]}
GOOD = load_capture("02_stream_text_basic.json")["response_sse"].encode()


def _record(alice, sse: bytes) -> Exchange:
    rec = record(BODY, sse=sse, team=team_of(alice))
    return Exchange.objects.get(public_id=rec.public_id)


def test_it_keeps_non_utf8_bytes_exactly(alice):
    bad = b'event: ping\ndata: {"type": "ping", "x": "\xff\xfe"}\n\n'
    exchange = _record(alice, GOOD.replace(b"event: ping\n", bad + b"event: ping\n", 1))
    (flagged,) = [e for e in iter_events(exchange) if e.non_utf8]
    assert bytes(flagged.raw_bytes) == bad
    assert "\ufffd" in flagged.raw
    assert "non_utf8_event" in exchange.anomalies
    assert exchange.outcome == "completed"


def test_it_keeps_an_unterminated_last_event(alice):
    cut = GOOD[: GOOD.index(b"event: message_delta")] + b'event: message_delta\ndata: {"type":"mess'
    exchange = _record(alice, cut)
    last = list(iter_events(exchange))[-1]
    assert last.terminated is False
    assert last.raw.endswith('{"type":"mess')
    assert "unterminated_last_event" in exchange.anomalies
    assert exchange.outcome == "incomplete"
    assert exchange.message["content"] == [{"type": "text", "text": "Hello"}]


def test_it_flags_events_after_message_stop(alice):
    extra = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}\n\n'
    exchange = _record(alice, GOOD + extra)
    assert list(iter_events(exchange))[-1].raw.startswith("event: content_block_delta")
    assert "events_after_message_stop" in exchange.anomalies
    assert exchange.message["content"][0]["text"] == "Hello"


def test_it_flags_invalid_json_in_a_data_line(alice):
    broken = b"event: ping\ndata: {not json\n\n"
    exchange = _record(alice, GOOD.replace(b"event: ping\n", broken + b"event: ping\n", 1))
    assert "event: ping\ndata: {not json\n\n" in [e.raw for e in iter_events(exchange)]
    assert "invalid_json_in_event" in exchange.anomalies
    assert exchange.outcome == "completed"


def test_it_stores_nul_and_lone_surrogates_in_both_databases(alice):
    raw = b'{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"a\\u0000b\\ud800c"}]}'
    rec = record(raw, response={"type": "message", "content": [], "stop_reason": "end_turn"},
                 team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert bytes(exchange.request_bytes) == raw
    assert exchange.request_body["messages"][0]["content"] == "a\ufffdb\ufffdc"
    assert "request_body_sanitized" in exchange.anomalies


def test_it_records_a_body_that_is_not_json(alice):
    rec = record(b"\x00\x01 not json", response=None, status=None, team=team_of(alice),
                 outcome="rejected", error={"type": "invalid_request_error", "message": "bad"})
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.request_body is None
    assert bytes(exchange.request_bytes) == b"\x00\x01 not json"
    assert exchange.outcome == "rejected"
    assert exchange.error_type == "invalid_request_error"


def test_it_calls_a_2xx_without_a_message_an_upstream_error(alice):
    body = {**BODY, "stream": False}
    empty = record(body, response=None, team=team_of(alice))
    html = recording.start_exchange(source="proxy", request_body=json.dumps(body).encode(),
                                    team_id=team_of(alice).id)
    html.response_started(200, [("content-type", "text/html")])
    html.body(b"<html><body>502 Bad Gateway</body></html>")
    html.finish()
    assert Exchange.objects.get(public_id=html.public_id).response_text.startswith("<html>")
    for public_id in (empty.public_id, html.public_id):
        exchange = Exchange.objects.get(public_id=public_id)
        assert exchange.outcome == "upstream_error"
        assert exchange.error_type == "upstream_protocol_error"
    streamed = Exchange.objects.get(public_id=record(BODY, sse=b"", team=team_of(alice)).public_id)
    assert streamed.outcome == "incomplete"
    assert "no_events_in_stream" in streamed.anomalies


def test_json_nested_deeper_than_the_stack_is_flagged_not_fatal(alice):
    deep = b"event: ping\ndata: " + b"[" * 100_000 + b"\n\n"
    exchange = _record(alice, GOOD.replace(b"event: ping\n", deep + b"event: ping\n", 1))
    assert "invalid_json_in_event" in exchange.anomalies
    assert exchange.outcome == "completed"
    assert exchange.message["content"] == [{"type": "text", "text": "Hello"}]
