"""The pure tool-loop step: the assistant turn unchanged, then every tool_result in order."""

from __future__ import annotations

import copy

import pytest

from playground.composer.loops import mock_results, next_turns
from tests.conftest import load_capture


def _assistant_from_capture_10() -> tuple[dict, dict]:
    """Capture 10 replays a thinking + tool_use turn: split it back into request and reply."""
    req = load_capture("10_stream_tool_result_with_thinking_replayed.json")["request"]
    messages = req["messages"]
    idx = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    request = {**req, "messages": messages[:idx]}
    message = {"role": "assistant", "content": messages[idx]["content"], "stop_reason": "tool_use"}
    return request, message


def test_it_appends_the_assistant_turn_exactly_as_returned():
    request, message = _assistant_from_capture_10()
    before = copy.deepcopy(request)
    ids = [b["id"] for b in message["content"] if b["type"] == "tool_use"]
    out = next_turns(request, message, dict.fromkeys(ids, "ok"))
    assert request == before  # pure: the input is untouched
    assert out["messages"][:-2] == request["messages"]
    assert out["messages"][-2] == {"role": "assistant", "content": message["content"]}
    assert out["messages"][-2]["content"][0]["type"] == "thinking"
    assert out["messages"][-2]["content"][0]["signature"] == message["content"][0]["signature"]


def test_it_answers_every_tool_use_in_order_with_errors_marked():
    message = {
        "content": [
            {"type": "text", "text": " "},
            {"type": "tool_use", "id": "toolu_b", "name": "b", "input": {}},
            {"type": "tool_use", "id": "toolu_a", "name": "a", "input": {}},
        ]
    }
    out = next_turns({"model": "sim-1", "messages": [{"role": "user", "content": "go"}]}, message,
                     {"toolu_a": {"content": "A", "is_error": True}, "toolu_b": "B"})
    user = out["messages"][-1]
    assert user["role"] == "user"
    assert user["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_b", "content": "B"},
        {"type": "tool_result", "tool_use_id": "toolu_a", "content": "A", "is_error": True},
    ]


def test_it_names_the_tool_use_ids_left_without_a_result():
    message = {"content": [{"type": "tool_use", "id": "toolu_x", "name": "x", "input": {}}]}
    with pytest.raises(ValueError, match="toolu_x"):
        next_turns({"messages": []}, message, {})


def test_it_fills_results_from_mocks_and_reports_tools_without_one():
    message = {
        "content": [
            {"type": "tool_use", "id": "t1", "name": "weather", "input": {"city": "Oslo"}},
            {"type": "tool_use", "id": "t2", "name": "stocks", "input": {}},
        ]
    }
    results, missing = mock_results(message, {"weather": {"type": "template", "template": "{{input.city}}: rain"}})
    assert results == {"t1": {"content": "Oslo: rain", "is_error": False}}
    assert missing == ["stocks"]
