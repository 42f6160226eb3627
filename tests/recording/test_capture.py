"""Every real capture records: events raw and in order, the rebuilt message, usage, cost."""

from __future__ import annotations

import json

import pytest

from playground.recording.events import iter_events
from playground.recording.models import Exchange
from tests.conftest import all_captures, load_capture
from tests.recording.helpers import record_capture, team_of


@pytest.mark.parametrize("name", all_captures())
def test_it_records_every_capture(alice, name):
    cap = load_capture(name)
    rec = record_capture(name, team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.team == team_of(alice)
    assert exchange.status == cap["response_status"]
    assert exchange.outcome != "streaming"
    if cap.get("response_sse"):
        events = list(iter_events(exchange))
        # Joining the recorded raw events gives the body back byte for byte.
        assert "".join(e.raw for e in events) == cap["response_sse"]
        assert [e.seq for e in events] == list(range(len(events)))
        assert exchange.outcome == "completed"
        assert exchange.message["stop_reason"] == exchange.stop_reason
        assert exchange.output_tokens == exchange.message["usage"]["output_tokens"]
        assert exchange.first_token_ms is not None
        assert exchange.request_id == cap["response_headers"].get("request-id", "")
    elif cap["response_status"] == 200:
        assert exchange.message == cap["response_body"]
        assert exchange.outcome == "completed"
        assert exchange.stop_reason == cap["response_body"]["stop_reason"]
    else:
        assert exchange.outcome == "upstream_error"
        assert exchange.error_type == cap["response_body"]["error"]["type"]
        assert exchange.error_message == cap["response_body"]["error"]["message"]
    if cap.get("request"):
        assert exchange.request_body == cap["request"]
        assert json.loads(bytes(exchange.request_bytes)) == cap["request"]
        assert exchange.model == cap["request"].get("model", "")


def test_it_rebuilds_the_streamed_message_and_its_cost(alice):
    rec = record_capture("02_stream_text_basic.json", team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.message["content"] == [{"type": "text", "text": "Hello"}]
    assert (exchange.input_tokens, exchange.output_tokens) == (10, 4)
    # claude-haiku-4-5-20251001 falls back to the claude-haiku-4-5 price: $1 in, $5 out.
    assert str(exchange.cost_usd) == "0.00003000"
    assert exchange.duration_ms >= exchange.first_byte_ms >= 0
    assert exchange.event_count == 7


def test_it_records_cache_usage_and_server_tool_counts(alice):
    rec = record_capture("15_nonstream_prompt_cache_read.json", team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.cache_read == 1111
    assert exchange.cache_creation_5m == 418
    rec = record_capture("16_nonstream_pause_turn_web_search.json", team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.server_tool_use["web_search_requests"] == 10
    assert exchange.stop_reason == "pause_turn"
    assert " web_search " in exchange.tool_names


def test_it_stores_the_contract_findings_of_the_request(alice):
    from tests.recording.helpers import record

    rec = record({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]},
                 response=None, status=None, outcome="rejected", team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert {"path": "max_tokens", "severity": "error", "message": "Field required"}.items() <= (
        exchange.findings[0].items()
    )
    assert exchange.outcome == "rejected"
    assert exchange.thread_id is None  # refused locally: not part of a conversation
