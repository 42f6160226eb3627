"""message_to_events: the exact event sequence the API streams for a Message."""

from __future__ import annotations

import json

from playground.contract.events import message_to_events, message_to_sse
from playground.contract.sse import parse_all
from tests.conftest import load_capture

MESSAGE = {
    "id": "msg_01Test",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "thinking", "thinking": "Let me think about this for a moment.", "signature": "EsigXYZ"},
        {"type": "text", "text": "Here is a fairly long answer with several words in it."},
        {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris", "unit": "c"}},
        {"type": "tool_use", "id": "toolu_01B", "name": "now", "input": {}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "stop_details": None,
    "usage": {
        "input_tokens": 50,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 120,
        "service_tier": "standard",
        "output_tokens_details": {"thinking_tokens": 30},
    },
}


def names(events):
    return [n for n, _ in events]


def test_it_starts_with_an_empty_message():
    name, data = message_to_events(MESSAGE)[0]
    assert name == "message_start"
    start = data["message"]
    assert start["content"] == []
    assert start["stop_reason"] is None and start["stop_sequence"] is None and start["stop_details"] is None
    assert start["usage"]["input_tokens"] == 50
    assert 0 < start["usage"]["output_tokens"] < 120
    assert "output_tokens_details" not in start["usage"]


def test_it_frames_each_block_and_pings_after_the_first_start():
    events = message_to_events(MESSAGE)
    seq = names(events)
    assert seq[:3] == ["message_start", "content_block_start", "ping"]
    assert seq[-2:] == ["message_delta", "message_stop"]
    assert seq.count("ping") == 1
    assert seq.count("content_block_start") == seq.count("content_block_stop") == 4
    for name, data in events:
        assert data["type"] == name


def test_it_streams_text_in_several_chunks():
    deltas = [d["delta"]["text"] for n, d in message_to_events(MESSAGE) if n == "content_block_delta" and d["index"] == 1]
    assert len(deltas) > 1
    assert "".join(deltas) == MESSAGE["content"][1]["text"]


def test_it_streams_thinking_then_an_empty_delta_then_the_signature():
    deltas = [d["delta"] for n, d in message_to_events(MESSAGE) if n == "content_block_delta" and d["index"] == 0]
    assert deltas[-1] == {"type": "signature_delta", "signature": "EsigXYZ"}
    assert deltas[-2] == {"type": "thinking_delta", "thinking": ""}
    assert "".join(d["thinking"] for d in deltas[:-1]) == MESSAGE["content"][0]["thinking"]
    start = next(d for n, d in message_to_events(MESSAGE) if n == "content_block_start")
    assert start["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}


def test_it_streams_tool_input_as_json_fragments():
    events = message_to_events(MESSAGE)
    start = [d for n, d in events if n == "content_block_start" and d["index"] == 2][0]
    assert start["content_block"] == {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}
    parts = [d["delta"]["partial_json"] for n, d in events if n == "content_block_delta" and d["index"] == 2]
    assert parts[0] == ""
    assert len(parts) > 2
    assert json.loads("".join(parts)) == {"city": "Paris", "unit": "c"}
    assert "".join(parts) == '{"city": "Paris", "unit": "c"}'  # the API's spacing


def test_it_sends_one_empty_fragment_for_empty_input():
    parts = [d["delta"] for n, d in message_to_events(MESSAGE) if n == "content_block_delta" and d["index"] == 3]
    assert parts == [{"type": "input_json_delta", "partial_json": ""}]


def test_it_ends_with_stop_reason_and_cumulative_usage():
    name, data = message_to_events(MESSAGE)[-2]
    assert data["delta"] == {"stop_reason": "tool_use", "stop_sequence": None, "stop_details": None}
    assert data["usage"]["output_tokens"] == 120
    assert data["usage"]["output_tokens_details"] == {"thinking_tokens": 30}
    assert "service_tier" not in data["usage"]


def test_it_sends_server_tool_results_whole_and_citations_as_deltas():
    citation = {"type": "web_search_result_location", "url": "https://example.com", "title": "Ex",
                "encrypted_index": "Eo", "cited_text": "quoted"}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": [{"type": "web_search_result", "url": "https://example.com"}]}
    message = dict(MESSAGE, content=[result, {"type": "text", "text": "Cited words here.", "citations": [citation]}])
    events = message_to_events(message)
    blocks = [(n, d) for n, d in events if d.get("index") == 0]
    assert [n for n, _ in blocks] == ["content_block_start", "content_block_stop"]
    assert blocks[0][1]["content_block"] == result
    text_events = [d for n, d in events if d.get("index") == 1]
    assert text_events[0]["content_block"] == {"citations": [], "type": "text", "text": ""}
    assert text_events[1]["delta"] == {"type": "citations_delta", "citation": citation}


def test_it_pings_even_without_content():
    assert names(message_to_events(dict(MESSAGE, content=[]))) == ["message_start", "ping", "message_delta", "message_stop"]


def test_it_makes_a_parseable_stream_for_every_nonstream_capture():
    for name in ("01_nonstream_text_metadata.json", "13_nonstream_thinking_text_tool_use.json",
                 "14_nonstream_redacted_thinking.json", "16_nonstream_pause_turn_web_search.json"):
        body = message_to_sse(load_capture(name)["response_body"])
        events = parse_all(body)
        assert events[-1].event == "message_stop"
        assert all(e.terminated for e in events)
