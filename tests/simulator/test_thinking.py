"""Thinking: a signed block first; replays are checked like the API checks them."""

from __future__ import annotations

import anthropic
import pytest

from tests.simulator.conftest import WEATHER_TOOLS, create_and_stream

ASK = [{"role": "user", "content": "Why is the sky blue over Madrid"}]


def test_it_thinks_first_with_a_signature_when_enabled(client):
    message = create_and_stream(
        client, model="sim-1", max_tokens=2000, messages=ASK, thinking={"type": "enabled", "budget_tokens": 1024}
    )
    thinking, text = message.content
    assert thinking.type == "thinking" and text.type == "text"
    assert "Why is the sky blue over Madrid" in thinking.thinking
    assert thinking.signature.startswith("SIMSIG1")
    details = message.usage.model_dump()["output_tokens_details"]
    assert 0 < details["thinking_tokens"] < message.usage.output_tokens


def test_it_thinks_in_adaptive_mode(client):
    message = client.messages.create(model="sim-1", max_tokens=2000, messages=ASK, thinking={"type": "adaptive"})
    assert [b.type for b in message.content] == ["thinking", "text"]


def test_it_withholds_the_text_when_display_is_omitted(client):
    shown = client.messages.create(
        model="sim-1", max_tokens=2000, messages=ASK, thinking={"type": "enabled", "budget_tokens": 1024}
    )
    hidden = create_and_stream(
        client,
        model="sim-1",
        max_tokens=2000,
        messages=ASK,
        thinking={"type": "enabled", "budget_tokens": 1024, "display": "omitted"},
    )
    assert hidden.content[0].thinking == ""
    assert hidden.content[0].signature
    assert hidden.usage.output_tokens == shown.usage.output_tokens


def test_it_accepts_its_thinking_back_and_rejects_an_edited_one(client):
    thinking = {"type": "enabled", "budget_tokens": 1024}
    first = client.messages.create(
        model="sim-1",
        max_tokens=2000,
        messages=[{"role": "user", "content": "Weather in Paris? use get_weather"}],
        tools=WEATHER_TOOLS,
        thinking=thinking,
    )
    assert first.stop_reason == "tool_use"
    call = next(b for b in first.content if b.type == "tool_use")
    history = [
        {"role": "user", "content": "Weather in Paris? use get_weather"},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny, 24C"}]},
    ]
    second = client.messages.create(
        model="sim-1", max_tokens=2000, messages=history, tools=WEATHER_TOOLS, thinking=thinking
    )
    assert second.stop_reason == "end_turn"
    assert "sunny, 24C" in second.content[-1].text

    history[1]["content"][0]["thinking"] += " Edited."
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="sim-1", max_tokens=2000, messages=history, tools=WEATHER_TOOLS, thinking=thinking)
    assert caught.value.body["error"]["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"
