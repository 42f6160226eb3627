"""`{{name}}` placeholders: finding them, filling them, and saying what is missing."""

from __future__ import annotations

import pytest

from playground.library.variables import (
    MissingValues,
    placeholders,
    resolve,
    resolve_state,
    value_set,
)
from tests.library.conftest import sample_state

REQUEST = {
    "model": "{{model}}",
    "system": [{"type": "text", "text": "You speak {{ language }}."}],
    "tools": [{"name": "t", "description": "Look up {{thing}}", "input_schema": {"type": "object"}}],
    "messages": [
        {"role": "user", "content": "Hello {{name}}, {{name}}!"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "{{id}}", "name": "t", "input": {"q": "{{thing}}"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "{{id}}", "content": [{"type": "text", "text": "found {{thing}}"}]},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "{{data}}"}},
        ]},
    ],
}


def test_it_finds_placeholders_in_every_text_field():
    assert placeholders(REQUEST) == {"model", "language", "thing", "name"}


def test_it_fills_every_placeholder_and_leaves_the_rest():
    out = resolve(REQUEST, {"model": "sim-1", "language": "French", "thing": "<b>x</b>", "name": "Ann"})
    assert out["model"] == "sim-1"
    assert out["system"][0]["text"] == "You speak French."
    assert out["tools"][0]["description"] == "Look up <b>x</b>"
    assert out["messages"][0]["content"] == "Hello Ann, Ann!"
    assert out["messages"][1]["content"][0]["input"] == {"q": "<b>x</b>"}
    assert out["messages"][1]["content"][0]["id"] == "{{id}}"
    assert out["messages"][2]["content"][0]["content"][0]["text"] == "found <b>x</b>"
    assert out["messages"][2]["content"][1]["source"]["data"] == "{{data}}"
    assert REQUEST["model"] == "{{model}}"


def test_it_names_every_missing_value_and_where_it_is():
    with pytest.raises(MissingValues) as caught:
        resolve(REQUEST, {"model": "m"}, "paris")
    missing = {m.name: m.paths for m in caught.value.missing}
    assert set(missing) == {"language", "thing", "name"}
    assert missing["thing"] == (
        "tools[0].description", "messages[1].content[0].input.q",
        "messages[2].content[0].content[0].text",
    )
    assert "value set 'paris'" in str(caught.value) and "{{language}}" in str(caught.value)


def test_it_inserts_values_literally_without_expanding_them_again():
    assert resolve({"system": "{{a}}"}, {"a": "{{b}} \\1 $0"}) == {"system": "{{b}} \\1 $0"}


@pytest.mark.parametrize("text", ["{{}}", "{{ }}", "{{1x}}", '{{"json": 1}}', "{{a b}}", "{ {a} }"])
def test_it_leaves_text_that_is_not_a_placeholder(text):
    assert placeholders({"system": text}) == set()
    assert resolve({"system": text}, {}) == {"system": text}


def test_it_refuses_values_that_are_not_strings():
    with pytest.raises(TypeError):
        resolve({"system": "{{a}}"}, {"a": 3})


def test_it_resolves_a_state_with_its_active_or_named_value_set():
    state = sample_state()
    assert resolve_state(state)["system"] == "You are a forecaster for Paris."
    assert resolve_state(state, "oslo")["messages"][0]["content"][0]["text"].endswith("Oslo?")
    with pytest.raises(KeyError):
        value_set(state, "berlin")
    assert value_set({"request": {}}) == (None, {})
