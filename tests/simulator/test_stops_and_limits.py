"""stop_sequences, max_tokens, answer length and prefill, streamed and not."""

from __future__ import annotations

from tests.simulator.conftest import WEATHER_TOOLS, create_and_stream

WHALE = [{"role": "user", "content": "Tell me about the blue whale and its song"}]


def test_it_stops_at_a_stop_sequence_and_reports_it(client):
    full = client.messages.create(model="sim-1", max_tokens=300, messages=WHALE)
    stopped = create_and_stream(client, model="sim-1", max_tokens=300, messages=WHALE, stop_sequences=["zebra", "whale"])
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == "whale"
    text = stopped.content[0].text
    assert "whale" not in text
    assert full.content[0].text.startswith(text + "whale")
    assert stopped.usage.output_tokens < full.usage.output_tokens


def test_it_truncates_at_max_tokens(client):
    full = client.messages.create(model="sim-1", max_tokens=300, messages=WHALE)
    cut = create_and_stream(client, model="sim-1", max_tokens=5, messages=WHALE)
    assert cut.stop_reason == "max_tokens"
    assert cut.usage.output_tokens == 5
    assert full.content[0].text.startswith(cut.content[0].text)
    assert len(cut.content[0].text) < len(full.content[0].text)


def test_it_sizes_the_answer_with_the_output_tokens_header(client):
    sized = create_and_stream(
        client, model="sim-1", max_tokens=5000, messages=WHALE, extra_headers={"x-sim-output-tokens": "1000"}
    )
    assert sized.usage.output_tokens == 1000
    assert sized.stop_reason == "end_turn"
    capped = client.messages.create(
        model="sim-1", max_tokens=700, messages=WHALE, extra_headers={"x-sim-output-tokens": "1000"}
    )
    assert capped.usage.output_tokens == 700 and capped.stop_reason == "max_tokens"


def test_it_fills_the_cache_without_output_at_max_tokens_zero(client):
    empty = create_and_stream(client, model="sim-1", max_tokens=0, messages=WHALE)
    assert empty.content == []
    assert empty.stop_reason == "max_tokens" and empty.usage.output_tokens == 0


def test_it_stops_before_a_tool_call_that_does_not_fit(client):
    request = {
        "model": "sim-1",
        "messages": [{"role": "user", "content": "Weather in Rome? Use get_weather"}],
        "tools": WEATHER_TOOLS,
    }
    whole = client.messages.create(max_tokens=500, **request)
    assert [b.type for b in whole.content] == ["text", "tool_use"]
    text_cost = whole.usage.output_tokens - 8  # leave the text whole, the call cannot fit
    cut = create_and_stream(client, max_tokens=max(text_cost, 8), **request)
    assert cut.stop_reason == "max_tokens"
    assert [b.type for b in cut.content] == ["text"]


def test_it_continues_a_prefill_without_repeating_it(client):
    # CAP 03: a code-fence prefill with the fence as stop sequence.
    request = {
        "model": "sim-1",
        "max_tokens": 500,
        "messages": [
            {"role": "user", "content": "Very short function describing a pelican"},
            {"role": "assistant", "content": "```python"},
        ],
        "stop_sequences": ["```"],
    }
    message = create_and_stream(client, **request)
    text = message.content[0].text
    assert not text.startswith("```python")
    assert text.startswith("\n")
    assert "Very short function describing a pelican" in text
    assert message.stop_reason == "stop_sequence" and message.stop_sequence == "```"


def test_it_continues_a_plain_prefill_after_a_space(client):
    message = client.messages.create(
        model="sim-1",
        max_tokens=200,
        messages=[{"role": "user", "content": "Say hello"}, {"role": "assistant", "content": "Sure:"}],
    )
    assert message.content[0].text.startswith(" ")
    assert not message.content[0].text.startswith(" Sure:")
