"""The official SDK against the standalone simulator: create, stream, and the two agree."""

from __future__ import annotations

import anthropic

from tests.simulator.conftest import WEATHER_TOOLS

HELLO = [{"role": "user", "content": "Please describe a pelican in one sentence"}]


def test_it_answers_create_with_text_that_quotes_the_user(client):
    message = client.messages.create(model="sim-1", max_tokens=200, messages=HELLO)
    assert message.type == "message" and message.role == "assistant"
    assert message.model == "sim-1"
    assert message.id.startswith("msg_01")
    assert message.stop_reason == "end_turn"
    assert [b.type for b in message.content] == ["text"]
    assert '"Please describe a pelican in one sentence"' in message.content[0].text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_it_streams_the_same_message_as_create(client):
    created = client.messages.create(model="sim-1", max_tokens=200, messages=HELLO)
    with client.messages.stream(model="sim-1", max_tokens=200, messages=HELLO) as stream:
        texts = list(stream.text_stream)
        streamed = stream.get_final_message()
    assert len(texts) > 3, "text should arrive in several deltas"
    assert "".join(texts) == created.content[0].text
    assert streamed.model_dump() == created.model_dump()


def test_it_streams_tools_and_thinking_the_same_as_create(client):
    request = {
        "model": "sim-1",
        "max_tokens": 4000,
        "messages": [{"role": "user", "content": "Weather in Lisbon? Use get_weather and get_time"}],
        "tools": WEATHER_TOOLS,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert [b.type for b in created.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert streamed.model_dump() == created.model_dump()
    assert streamed.usage.output_tokens == created.usage.output_tokens


async def test_it_serves_the_async_sdk_the_same_message(aclient):
    created = await aclient.messages.create(model="sim-1", max_tokens=100, messages=HELLO)
    async with aclient.messages.stream(model="sim-1", max_tokens=100, messages=HELLO) as stream:
        streamed = await stream.get_final_message()
    assert streamed.model_dump() == created.model_dump()


def test_it_sends_realistic_headers(client):
    raw = client.messages.with_raw_response.create(model="sim-1", max_tokens=50, messages=HELLO)
    assert raw.headers["request-id"].startswith("req_011C")
    assert raw.headers["content-type"] == "application/json"
    for bucket in ("requests", "tokens", "input-tokens", "output-tokens"):
        for part in ("limit", "remaining", "reset"):
            assert raw.headers[f"anthropic-ratelimit-{bucket}-{part}"]
    assert int(raw.headers["anthropic-ratelimit-requests-remaining"]) < int(
        raw.headers["anthropic-ratelimit-requests-limit"]
    )
    with client.messages.with_streaming_response.create(
        model="sim-1", max_tokens=50, messages=HELLO, stream=True
    ) as streamed:
        assert streamed.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert streamed.headers["cache-control"] == "no-cache"
        body = streamed.read()
    assert body.startswith(b"event: message_start\n")
    assert b'event: ping\ndata: {"type": "ping"}\n\n' in body
    assert body.endswith(b'event: message_stop\ndata: {"type":"message_stop"}\n\n')


def test_it_answers_beta_paths_and_bearer_auth(sim_url):
    with anthropic.Anthropic(base_url=sim_url, auth_token="token", api_key=None, max_retries=0) as sdk:
        message = sdk.beta.messages.create(
            model="sim-1-fast", max_tokens=50, messages=HELLO, betas=["token-counting-2024-11-01"]
        )
    assert message.model == "sim-1-fast"
    assert message.content[0].type == "text"


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def test_it_acknowledges_images_in_the_last_turn(client):
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PIXEL}}
    message = client.messages.create(
        model="sim-1",
        max_tokens=200,
        messages=[{"role": "user", "content": [image, image, {"type": "text", "text": "What is this?"}]}],
    )
    assert message.content[0].text.startswith('You sent 2 images and said: "What is this?".')
    counted = client.messages.count_tokens(model="sim-1", messages=[{"role": "user", "content": [image]}])
    assert counted.input_tokens > 1000
