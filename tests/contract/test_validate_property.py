"""Whatever JSON arrives, the validator answers with findings and never raises; whatever
bytes arrive, parse_body answers with a body or a 4xx finding."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.contract.validate import api_error, parse_body, validate_request
from playground.contract.validate_blocks import BLOCKS
from playground.contract.validate_fields import MESSAGES_FIELDS
from tests.conftest import all_captures, load_capture

scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)
KEYS = sorted(MESSAGES_FIELDS | {"type", "role", "content", "text", "id", "tool_use_id", "name",
                                 "input", "source", "data", "media_type", "cache_control",
                                 "thinking", "signature", "input_schema", "budget_tokens"})
TYPES = sorted(BLOCKS) + ["enabled", "adaptive", "base64", "url", "ephemeral", "tool", "any",
                          "custom", "web_search_20250305", "user", "assistant"]
near_values = st.recursive(
    scalars | st.sampled_from(TYPES),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(KEYS), inner,
                                                                max_size=6),
    max_leaves=40,
)
ACCEPTED = [load_capture(n)["request"] for n in all_captures()
            if load_capture(n)["request"] is not None]


def _check(findings) -> None:
    assert isinstance(findings, list)
    for f in findings:
        assert f.severity in ("error", "warning")
        assert f.status in (400, 404, 413)
    result = api_error(findings, "req_x")
    assert result is None or result[0] in (400, 404, 413)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_it_never_raises_on_random_json(value):
    _check(validate_request(value))
    _check(validate_request(value, endpoint="count_tokens"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), near_values, max_size=10))
def test_it_never_raises_on_request_shaped_json(value):
    # no validator rule may crash: a crash would show as the "could not finish" warning
    findings = validate_request(value, betas=("files-api-2025-04-14",))
    _check(findings)
    assert not any("could not finish" in f.message for f in findings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(ACCEPTED))), st.data())
def test_it_never_raises_on_mutated_captures(index, data):
    body = json.loads(json.dumps(ACCEPTED[index]))
    target = body
    # walk down a random path and replace the value found there
    for _ in range(data.draw(st.integers(0, 6))):
        if isinstance(target, dict) and target:
            key = data.draw(st.sampled_from(sorted(target)))
            if not isinstance(target[key], (dict, list)) or data.draw(st.booleans()):
                target[key] = data.draw(near_values)
                break
            target = target[key]
        elif isinstance(target, list) and target:
            i = data.draw(st.integers(0, len(target) - 1))
            if not isinstance(target[i], (dict, list)) or data.draw(st.booleans()):
                target[i] = data.draw(near_values)
                break
            target = target[i]
        else:
            break
    before = json.dumps(body, sort_keys=True)
    findings = validate_request(body)
    _check(findings)
    assert not any("could not finish" in f.message for f in findings)
    assert json.dumps(body, sort_keys=True) == before  # the validator never edits its input


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_it_never_raises_on_random_bytes(raw):
    body, findings = parse_body(raw)
    if findings:
        assert body is None
        assert api_error(findings, None)[0] in (400, 413)
    else:
        _check(validate_request(body))


def test_it_survives_10000_deep_values_built_in_memory():
    deep: object = "leaf"
    for _ in range(10_000):
        deep = {"type": "object", "properties": {"x": deep}}
    body = {"model": "claude-haiku-4-5", "max_tokens": 10, "stream": True,
            "tools": [{"name": "t", "input_schema": deep}],
            "messages": [{"role": "user", "content": "hi"},
                         {"role": "assistant", "content": [
                             {"type": "tool_use", "id": "toolu_1", "name": "t", "input": deep}]},
                         {"role": "user", "content": [
                             {"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}]}
    findings = validate_request(body)
    _check(findings)
    assert [f.path for f in findings if f.severity == "error"] == ["tools[0].input_schema"]
