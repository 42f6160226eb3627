"""count_tokens agrees with the usage of create and of the stream for the same request."""

from __future__ import annotations

from tests.simulator.conftest import WEATHER_TOOLS


def test_it_counts_the_same_input_tokens_as_create_and_stream(client):
    request = {
        "model": "sim-1",
        "system": "You are terse.",
        "messages": [
            {"role": "user", "content": "What's the weather in Oslo? Use get_weather"},
            {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}]},
            {"role": "user", "content": [{"type": "text", "text": "Thanks, and make it short"}]},
        ],
        "tools": WEATHER_TOOLS,
    }
    counted = client.messages.count_tokens(**request)
    created = client.messages.create(max_tokens=300, **request)
    with client.messages.stream(max_tokens=300, **request) as stream:
        streamed = stream.get_final_message()
    assert counted.input_tokens == created.usage.input_tokens == streamed.usage.input_tokens
    assert counted.input_tokens > 20


def test_it_counts_more_tokens_for_a_longer_prompt(client):
    short = client.messages.count_tokens(model="sim-1", messages=[{"role": "user", "content": "hi"}])
    longer = client.messages.count_tokens(
        model="sim-1", messages=[{"role": "user", "content": ("hi " + "and more words " * 50).strip()}]
    )
    assert longer.input_tokens - short.input_tokens == 150
