"""Mock tool results: static values and templates over the tool's input, with no evaluation."""

from __future__ import annotations

import json

import pytest

from playground.composer.mocks import MockError, check_mock, render_mock


def test_it_serializes_a_static_json_value():
    out = render_mock({"type": "static", "value": {"temp_c": 21, "sky": "clear"}}, {"city": "Oslo"})
    assert json.loads(out) == {"temp_c": 21, "sky": "clear"}


def test_it_returns_a_static_string_as_is():
    assert render_mock({"type": "static", "value": "Sunny, 21 C"}, {}) == "Sunny, 21 C"


def test_it_fills_nested_placeholders_from_the_input():
    mock = {"type": "template", "template": "Weather in {{input.place.city}} ({{ input.days.1 }})"}
    out = render_mock(mock, {"place": {"city": "Lyon"}, "days": ["mon", "tue"]})
    assert out == "Weather in Lyon (tue)"


def test_it_keeps_a_json_template_valid_whatever_the_input_holds():
    mock = {"type": "template", "template": '{"echo": "{{input.q}}", "n": {{input.n}}, "all": {{input}}}'}
    hostile = 'say "hi"\n\\ {{input.q}} </script>'
    out = render_mock(mock, {"q": hostile, "n": 3})
    parsed = json.loads(out)
    assert parsed["echo"] == hostile
    assert parsed["n"] == 3
    assert parsed["all"] == {"q": hostile, "n": 3}


def test_it_never_evaluates_expressions():
    mock = {"type": "template", "template": "{{input.__class__}} {{ 1+1 }} {{input.a}}"}
    assert render_mock(mock, {"a": 1}) == " {{ 1+1 }} 1"


def test_it_renders_a_missing_path_as_empty():
    assert render_mock({"type": "template", "template": "[{{input.nope.deeper}}]"}, {"x": 1}) == "[]"


@pytest.mark.parametrize(
    "mock",
    [
        None,
        {"type": "eval", "code": "1"},
        {"type": "static"},
        {"type": "template", "template": 3},
        {"type": "static", "value": 1, "extra": True},
        {"type": "static", "value": 1, "is_error": "yes"},
    ],
)
def test_it_refuses_malformed_mocks(mock):
    with pytest.raises(MockError):
        check_mock(mock)
