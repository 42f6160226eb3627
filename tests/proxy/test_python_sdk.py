"""The official Python SDK, changed only in base_url and api_key, works through the proxy,
and every call is recorded with source `proxy` and the key's name."""

from __future__ import annotations

import anthropic
import pytest

from tests.proxy.conftest import recorded

HELLO = [{"role": "user", "content": "Hello from the SDK"}]
TOOLS = [
    {
        "name": name,
        "description": f"The {name[4:]} for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    for name in ("get_weather", "get_time", "get_forecast")
]


def test_it_creates_a_message(sdk):
    message = sdk.messages.create(model="sim-1", max_tokens=64, messages=HELLO)
    assert message.type == "message" and message.stop_reason == "end_turn"
    assert "Hello from the SDK" in message.content[0].text
    [ex] = recorded(1)
    assert (ex.source, ex.proxy_key_name, ex.status, ex.outcome) == ("proxy", "acme-ci", 200, "completed")
    assert ex.team.name == "acme" and ex.provider == "simulator" and ex.model == "sim-1"
    assert ex.message["id"] == message.id


def test_it_streams_with_the_helpers(sdk):
    with sdk.messages.stream(model="sim-1", max_tokens=64, messages=HELLO) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and text == final.content[0].text
    [ex] = recorded(1)
    assert ex.stream and ex.outcome == "completed"
    assert ex.event_count >= 5
    assert ex.message["content"][0]["text"] == text


def test_it_runs_a_tool_loop_of_three_steps_in_one_thread(sdk):
    messages = [{"role": "user", "content": "For Paris, call get_weather, then get_time, then get_forecast."}]
    stops = []
    for _ in range(6):
        message = sdk.messages.create(model="sim-1", max_tokens=512, tools=TOOLS, messages=messages)
        stops.append(message.stop_reason)
        if message.stop_reason != "tool_use":
            break
        messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]})
        messages.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": b.id, "content": f"{b.name}: fine"}
                    for b in message.content
                    if b.type == "tool_use"
                ],
            }
        )
    assert stops.count("tool_use") >= 3 and stops[-1] == "end_turn"
    rows = recorded(len(stops))
    assert len(rows) == len(stops)
    assert all(r.outcome == "completed" for r in rows)
    assert len({r.thread_id for r in rows}) == 1 and rows[0].thread_id is not None


def test_it_counts_tokens_and_lists_models(sdk):
    counted = sdk.messages.count_tokens(model="sim-1", messages=HELLO)
    assert counted.input_tokens > 0
    assert "sim-1" in [m.id for m in sdk.models.list()]
    assert sdk.models.retrieve("sim-1").id == "sim-1"
    paths = [r.path for r in recorded(3)]
    assert paths == ["/v1/messages/count_tokens", "/v1/models", "/v1/models/sim-1"]


def test_it_passes_an_unknown_model_as_the_apis_404(sdk):
    with pytest.raises(anthropic.NotFoundError) as caught:
        sdk.messages.create(model="no-such-model", max_tokens=8, messages=HELLO)
    assert caught.value.body["error"]["message"] == "model: no-such-model"


def test_it_lets_the_sdk_retry_an_upstream_429_and_records_each_attempt(proxy_url, acme_key):
    with anthropic.Anthropic(base_url=proxy_url, api_key=acme_key, max_retries=2) as client:
        message = client.messages.create(
            model="sim-1",
            max_tokens=32,
            messages=HELLO,
            extra_headers={
                "x-sim-fault": "rate_limit",
                "x-sim-fault-attempts": "2",
                "x-sim-retry-after": "0",
            },
        )
    assert message.stop_reason == "end_turn"
    rows = recorded(3)
    assert [r.status for r in rows] == [429, 429, 200]
    assert [r.outcome for r in rows] == ["upstream_error", "upstream_error", "completed"]
    retry_counts = [dict(r.request_headers).get("x-stainless-retry-count") for r in rows]
    assert retry_counts == ["0", "1", "2"]


def test_it_surfaces_an_upstream_error_unchanged(sdk):
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk.messages.create(
            model="sim-1", max_tokens=8, messages=HELLO, extra_headers={"x-sim-fault": "rate_limit"}
        )
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.response.headers["request-id"].startswith("req_")
    assert caught.value.body["error"]["type"] == "rate_limit_error"


async def test_it_works_with_the_async_client(proxy_url, acme_key):
    async with anthropic.AsyncAnthropic(base_url=proxy_url, api_key=acme_key, max_retries=0) as client:
        message = await client.messages.create(model="sim-1", max_tokens=32, messages=HELLO)
        async with client.messages.stream(model="sim-1", max_tokens=32, messages=HELLO) as stream:
            chunks = [text async for text in stream.text_stream]
            final = await stream.get_final_message()
    assert message.content[0].text == final.content[0].text == "".join(chunks)
