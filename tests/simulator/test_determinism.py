"""The same request always gets the same message; only the request id changes."""

from __future__ import annotations

from tests.simulator.conftest import WEATHER_TOOLS

REQUEST = {
    "model": "sim-1",
    "max_tokens": 2000,
    "messages": [{"role": "user", "content": "Use get_weather and get_time for Nairobi"}],
    "tools": WEATHER_TOOLS,
    "thinking": {"type": "enabled", "budget_tokens": 1024},
}


def test_it_gives_the_same_message_for_the_same_request(client):
    first = client.messages.with_raw_response.create(**REQUEST)
    second = client.messages.with_raw_response.create(**REQUEST)
    assert first.parse().model_dump() == second.parse().model_dump()
    assert first.headers["request-id"] != second.headers["request-id"]


def test_it_gives_another_message_for_another_request(client):
    first = client.messages.create(**REQUEST)
    other = client.messages.create(**{**REQUEST, "messages": [{"role": "user", "content": "Use get_time"}]})
    assert first.id != other.id
    assert {b.id for b in first.content if b.type == "tool_use"}.isdisjoint(
        b.id for b in other.content if b.type == "tool_use"
    )
