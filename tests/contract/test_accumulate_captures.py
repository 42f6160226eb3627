"""The accumulator rebuilds each captured stream into the final Message."""

from __future__ import annotations

import pytest

from playground.contract.accumulate import accumulate
from playground.contract.events import message_to_sse
from playground.contract.sse import parse_all
from tests.conftest import all_captures, load_capture

STREAMED = [n for n in all_captures() if load_capture(n).get("response_sse")]
NONSTREAM = [
    n for n in all_captures()
    if load_capture(n).get("response_body", {}) and load_capture(n)["response_body"].get("type") == "message"
]


def rebuild(name: str):
    return accumulate(parse_all(load_capture(name)["response_sse"].encode()))


@pytest.mark.parametrize("name", STREAMED)
def test_it_completes_every_capture_cleanly(name):
    result = rebuild(name)
    assert result.outcome == "completed"
    assert result.anomalies == []
    assert result.error is None
    assert result.message["stop_reason"] is not None
    assert result.message["type"] == "message"


def test_it_joins_text_deltas():
    msg = rebuild("02_stream_text_basic.json").message
    assert msg["content"] == [{"type": "text", "text": "Hello"}]
    assert msg["stop_reason"] == "end_turn"


def test_it_overwrites_usage_with_the_cumulative_figures():
    msg = rebuild("11_stream_server_tool_and_custom_tool_fragments.json").message
    # message_start said 702 input / 1 output; message_delta's cumulative figures win.
    assert msg["usage"]["input_tokens"] == 1591
    assert msg["usage"]["output_tokens"] == 175
    assert msg["usage"]["server_tool_use"] == {"web_search_requests": 0, "web_fetch_requests": 0}
    # Fields only message_start carries survive.
    assert msg["usage"]["service_tier"] == "standard"
    assert msg["usage"]["inference_geo"] == "global"


def test_it_parses_tool_input_fragments_once_at_stop():
    content = rebuild("11_stream_server_tool_and_custom_tool_fragments.json").message["content"]
    assert content[1]["input"] == {"query": "USD EUR exchange rate currency conversion"}
    assert content[2]["type"] == "tool_search_tool_result"
    assert content[4]["input"] == {"from_currency": "USD", "to_currency": "EUR"}
    assert content[4]["caller"] == {"type": "direct"}


def test_it_keeps_empty_input_as_an_empty_object():
    content = rebuild("07_stream_tool_use_empty_input.json").message["content"]
    tool = [b for b in content if b["type"] == "tool_use"][0]
    assert tool["input"] == {}


def test_it_keeps_thinking_and_its_signature():
    block = rebuild("04_stream_thinking_enabled_then_text.json").message["content"][0]
    assert block["type"] == "thinking"
    assert block["thinking"].startswith("The user wants two names")
    assert block["signature"].startswith("EuYDCmMIDBgCKkC05Zda4P")


def test_it_collects_citations_from_citations_deltas():
    content = rebuild("17_stream_web_search_citations.json").message["content"]
    cited = [b for b in content if b["type"] == "text" and b.get("citations")]
    assert cited
    assert all(c["type"] == "web_search_result_location" for b in cited for c in b["citations"])
    assert content[1]["type"] == "web_search_tool_result"
    assert content[1]["content"][0]["type"] == "web_search_result"


def test_it_reads_stop_sequence():
    msg = rebuild("03_stream_prefill_stop_sequence.json").message
    assert msg["stop_reason"] == "stop_sequence"
    assert msg["stop_sequence"] == "```"


@pytest.mark.parametrize("name", NONSTREAM)
def test_it_gives_back_the_nonstream_body_from_its_stream(name):
    body = load_capture(name)["response_body"]
    result = accumulate(parse_all(message_to_sse(body)))
    assert result.outcome == "completed"
    assert result.anomalies == []
    assert result.message == body


def test_it_keeps_redacted_thinking_whole():
    body = load_capture("14_nonstream_redacted_thinking.json")["response_body"]
    block = accumulate(parse_all(message_to_sse(body))).message["content"][0]
    assert block["type"] == "redacted_thinking"
    assert block["data"] == body["content"][0]["data"]
