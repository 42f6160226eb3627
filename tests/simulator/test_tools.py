"""Tool calls: when they happen, inputs that satisfy the schema, parallel calls and chains."""

from __future__ import annotations

import json

import jsonschema

from tests.simulator.conftest import WEATHER_TOOLS

SCHEMAS = {t["name"]: t["input_schema"] for t in WEATHER_TOOLS}


def _ask(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def _calls(message) -> list:
    return [b for b in message.content if b.type == "tool_use"]


def _answer_get_time(client, first, answer: list[dict]):
    """The reply once the user answers `first`, the model's get_time call, with `answer`."""
    return client.messages.create(
        model="sim-1",
        max_tokens=500,
        tools=WEATHER_TOOLS,
        messages=[
            *_ask("Use get_time"),
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
            {"role": "user", "content": answer},
        ],
    )


def test_it_calls_the_tool_the_user_names_with_a_valid_input(client):
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("What's the weather in Lisbon? Use get_weather"), tools=WEATHER_TOOLS
    )
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["text", "tool_use"]
    (call,) = _calls(message)
    assert call.name == "get_weather" and call.id.startswith("toolu_01")
    jsonschema.validate(call.input, SCHEMAS["get_weather"])
    assert call.input["city"] == "Lisbon"


def test_it_answers_in_text_when_no_tool_is_named(client):
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Tell me a joke"), tools=WEATHER_TOOLS
    )
    assert message.stop_reason == "end_turn" and _calls(message) == []
    assert "name a tool in your message, for example get_weather." in message.content[0].text


def test_it_calls_a_tool_when_tool_choice_is_any(client):
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Tell me a joke"), tools=WEATHER_TOOLS,
        tool_choice={"type": "any"},
    )
    # Forced tool use: the call comes straight away, without text before it.
    assert [b.type for b in message.content] == ["tool_use"]
    assert message.content[0].name == "get_weather"


def test_it_calls_the_tool_that_tool_choice_names(client):
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Use get_weather please"), tools=WEATHER_TOOLS,
        tool_choice={"type": "tool", "name": "get_time"},
    )
    (call,) = _calls(message)
    assert call.name == "get_time"
    jsonschema.validate(call.input, SCHEMAS["get_time"])


def test_it_never_calls_with_tool_choice_none(client):
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Use get_weather"), tools=WEATHER_TOOLS,
        tool_choice={"type": "none"},
    )
    assert _calls(message) == [] and message.stop_reason == "end_turn"


def test_it_calls_named_tools_in_parallel_unless_disabled(client):
    ask = _ask("Use get_weather and get_time for Tokyo")
    parallel = client.messages.create(model="sim-1", max_tokens=500, messages=ask, tools=WEATHER_TOOLS)
    assert [c.name for c in _calls(parallel)] == ["get_weather", "get_time"]
    assert len({c.id for c in _calls(parallel)}) == 2
    single = client.messages.create(
        model="sim-1", max_tokens=500, messages=ask, tools=WEATHER_TOOLS,
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
    )
    assert [c.name for c in _calls(single)] == ["get_weather"]


def test_it_runs_a_chain_one_tool_per_turn_then_answers_with_both_results(client):
    messages = _ask("Use get_weather for Oslo, then get_time")
    results = {"get_weather": "rain, 9C", "get_time": "14:05 CET"}
    names = []
    for _ in range(3):
        with client.messages.stream(model="sim-1", max_tokens=500, messages=messages, tools=WEATHER_TOOLS) as stream:
            reply = stream.get_final_message()
        calls = _calls(reply)
        if not calls:
            break
        assert len(calls) == 1
        names.append(calls[0].name)
        messages = [
            *messages,
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in reply.content]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": calls[0].id, "content": results[calls[0].name]}],
            },
        ]
    assert names == ["get_weather", "get_time"]
    assert reply.stop_reason == "end_turn"
    answer = reply.content[-1].text
    assert "rain, 9C" in answer and "14:05 CET" in answer
    assert "Use get_weather for Oslo, then get_time" in answer


def test_it_reports_a_failed_tool_result(client):
    first = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Use get_time"), tools=WEATHER_TOOLS
    )
    (call,) = _calls(first)
    followup = _answer_get_time(
        client,
        first,
        [
            {"type": "tool_result", "tool_use_id": call.id, "is_error": True,
             "content": [{"type": "text", "text": "clock unavailable"}]}
        ],
    )
    assert 'get_time failed with "clock unavailable"' in followup.content[-1].text


def test_it_answers_structured_output_with_json_matching_the_schema(client):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["name", "age", "tags"],
        "additionalProperties": False,
    }
    message = client.messages.create(
        model="sim-1", max_tokens=500, messages=_ask("Describe Ada Lovelace"),
        output_config={"format": {"type": "json_schema", "schema": schema}},
    )
    jsonschema.validate(json.loads(message.content[0].text), schema)


def test_it_uses_results_sent_next_to_a_user_note(client):
    first = client.messages.create(model="sim-1", max_tokens=500, messages=_ask("Use get_time"), tools=WEATHER_TOOLS)
    (call,) = _calls(first)
    followup = _answer_get_time(
        client,
        first,
        [
            {"type": "tool_result", "tool_use_id": call.id, "content": "09:41"},
            {"type": "text", "text": "continue"},
        ],
    )
    assert followup.stop_reason == "end_turn"
    assert 'For "continue": get_time returned "09:41".' in followup.content[-1].text
