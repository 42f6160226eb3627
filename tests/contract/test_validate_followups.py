"""The next request a client builds from each real response (the reply appended as an
assistant turn, and a result for each client tool call) validates clean."""

from __future__ import annotations

import pytest

from playground.contract.accumulate import Accumulator
from playground.contract.sse import SSEParser
from playground.contract.validate import validate_request
from tests.conftest import all_captures, load_capture

REPLIES = [n for n in all_captures()
           if load_capture(n)["response_status"] == 200 and load_capture(n)["request"]
           and "count_tokens" not in load_capture(n)["request_url"]]


def reply(capture: dict) -> dict:
    if capture.get("response_body"):
        return capture["response_body"]
    parser, acc = SSEParser(), Accumulator()
    for event in [*parser.feed(capture["response_sse"].encode()), *parser.close()]:
        acc.add_sse(event)
    result = acc.finish()
    assert result.outcome == "completed"
    return result.message


def follow_up(capture: dict) -> dict:
    body = dict(capture["request"])
    message = reply(capture)
    content = [b for b in message["content"]
               # a client drops the whitespace-only text an adaptive reply may start with
               if not (b["type"] == "text" and not b["text"].strip())]
    messages = [*body["messages"], {"role": "assistant", "content": content}]
    calls = [b["id"] for b in content if b["type"] == "tool_use"]
    if calls:
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tool_id, "content": "done"} for tool_id in calls]})
    elif message["stop_reason"] != "pause_turn":
        messages.append({"role": "user", "content": "Thanks. One more, please."})
    body["messages"] = messages
    return body


@pytest.mark.parametrize("name", REPLIES)
def test_it_accepts_the_follow_up_of_a_real_reply(name):
    body = follow_up(load_capture(name))
    errors = [f for f in validate_request(body) if f.severity == "error"]
    assert errors == []


def test_it_covers_streams_tool_calls_thinking_and_pauses():
    kinds = {b["type"] for n in REPLIES for b in reply(load_capture(n))["content"]}
    assert {"text", "thinking", "redacted_thinking", "tool_use", "server_tool_use",
            "web_search_tool_result", "tool_search_tool_result"} <= kinds


def test_it_catches_a_follow_up_that_drops_the_thinking_block():
    capture = load_capture("13_nonstream_thinking_text_tool_use.json")
    body = follow_up(capture)
    body["messages"][-2]["content"] = body["messages"][-2]["content"][1:]
    [finding] = [f for f in validate_request(body) if f.severity == "error"]
    assert finding.message.startswith("Expected `thinking` or `redacted_thinking`, but found `text`")
