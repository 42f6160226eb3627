"""Whatever arrives, the simulator answers in the API's shape: never a 500, never a crash."""

from __future__ import annotations

import json

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.contract.accumulate import Accumulator
from playground.contract.sse import SSEParser
from playground.simulator.engine import handle
from tests.conftest import all_captures, load_capture

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_block = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=30)}),
    st.fixed_dictionaries({"type": st.just("tool_use"), "id": st.text(max_size=8), "name": st.text(max_size=8),
                           "input": st.dictionaries(st.text(max_size=5), _json, max_size=3)}),
    st.fixed_dictionaries({"type": st.just("tool_result"), "tool_use_id": st.text(max_size=8),
                           "content": st.text(max_size=20) | st.lists(_json, max_size=2)}),
    st.fixed_dictionaries({"type": st.just("thinking"), "thinking": st.text(max_size=20),
                           "signature": st.text(max_size=20)}),
    _json,
)
_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", 3]), "content": st.text(max_size=30) | st.lists(_block, max_size=3)}
)
_body = st.fixed_dictionaries(
    {"model": st.sampled_from(["sim-1", "sim-x", "claude-haiku-4-5", 7]), "max_tokens": st.integers(-1, 200) | _json,
     "messages": st.lists(_message, max_size=4)},
    optional={
        "stream": st.booleans(),
        "tools": st.lists(st.fixed_dictionaries({"name": st.text(max_size=10), "input_schema": _json}), max_size=2),
        "tool_choice": _json | st.fixed_dictionaries({"type": st.sampled_from(["auto", "any", "tool", "none"])}),
        "thinking": _json | st.just({"type": "enabled", "budget_tokens": 1024}),
        "stop_sequences": st.lists(st.text(max_size=4), max_size=3),
        "system": _json,
        "output_config": _json,
    },
)


async def _answer(path: str, raw: bytes) -> tuple[int, bytes]:
    response = await handle("POST", path, "", {}, raw)
    return response.status, b"".join([chunk async for chunk in response.body])


def _assert_api_shaped(status: int, body: bytes) -> None:
    assert status != 500
    if status != 200:
        payload = json.loads(body)
        assert payload["type"] == "error" and payload["error"]["message"]
        assert payload["request_id"].startswith("req_")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_body)
async def test_it_never_fails_on_odd_requests(body):
    for path in ("/v1/messages", "/v1/messages/count_tokens"):
        status, answer = await _answer(path, json.dumps(body).encode())
        _assert_api_shaped(status, answer)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=200))
async def test_it_never_fails_on_odd_bytes(raw):
    status, answer = await _answer("/v1/messages", raw)
    _assert_api_shaped(status, answer)


async def test_it_answers_every_captured_request_the_same_streamed_or_not():
    answered = 0
    for name in all_captures():
        capture = load_capture(name)
        if not capture.get("request") or "count_tokens" in capture["request_url"]:
            continue
        request = {**capture["request"], "model": "sim-1", "stream": False}
        headers = {k.lower(): v for k, v in (capture.get("request_headers") or {}).items()}
        betas = {"anthropic-beta": headers["anthropic-beta"]} if "anthropic-beta" in headers else {}
        plain = await handle("POST", "/v1/messages", "", betas, json.dumps(request).encode())
        message = json.loads(b"".join([c async for c in plain.body]))
        assert plain.status == 200, (name, message)
        streamed = await handle("POST", "/v1/messages", "", betas, json.dumps({**request, "stream": True}).encode())
        parser, accumulator = SSEParser(), Accumulator()
        async for chunk in streamed.body:
            for event in parser.feed(chunk):
                accumulator.add_sse(event)
        result = accumulator.finish()
        assert result.outcome == "completed" and result.anomalies == [], name
        assert result.message == message, name
        answered += 1
    assert answered >= 15


_leaf_schema = st.one_of(
    st.just({"type": "string"}),
    st.fixed_dictionaries({"type": st.just("integer")}, optional={"minimum": st.integers(-5, 0), "maximum": st.integers(1, 9)}),
    st.just({"type": "boolean"}),
    st.fixed_dictionaries({"type": st.just("string"), "enum": st.lists(st.text(min_size=1, max_size=4), min_size=1,
                                                                        max_size=3, unique=True)}),
)
_tool_schema = st.builds(
    lambda props, required: {"type": "object", "properties": props, "required": [k for k in props if k in required]},
    st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True),
                    _leaf_schema | st.builds(lambda i: {"type": "array", "items": i, "minItems": 1}, _leaf_schema),
                    max_size=4),
    st.sets(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=3),
)
_words = st.lists(st.sampled_from(["use", "then", "Paris", "weather", "and", "please", "the", "tool", "Oslo"]),
                  min_size=1, max_size=8)


@st.composite
def _valid_request(draw) -> dict:
    names = draw(st.lists(st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True), max_size=3, unique=True))
    words = draw(_words) + draw(st.lists(st.sampled_from(names), max_size=2)) if names else draw(_words)
    request: dict = {
        "model": "sim-1",
        "max_tokens": draw(st.integers(0, 300)),
        "messages": [{"role": "user", "content": " ".join(draw(st.permutations(words)))}],
    }
    if names:
        request["tools"] = [{"name": n, "input_schema": draw(_tool_schema)} for n in names]
        choice = draw(st.sampled_from(["auto", "any", "none", "tool", None]))
        if choice == "tool":
            request["tool_choice"] = {"type": "tool", "name": draw(st.sampled_from(names))}
        elif choice:
            request["tool_choice"] = {"type": choice, **draw(st.sampled_from([{}, {"disable_parallel_tool_use": True}]))}
    if draw(st.booleans()):
        request["stop_sequences"] = draw(st.lists(st.sampled_from(["e", "said", "Paris", "zz", "."]), max_size=2,
                                                  unique=True))
    if draw(st.booleans()):
        request["max_tokens"] = draw(st.integers(1100, 3000))
        request["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    return request


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=_valid_request())
async def test_it_answers_valid_requests_consistently(request):
    status, answer = await _answer("/v1/messages", json.dumps(request).encode())
    _assert_api_shaped(status, answer)
    if status != 200:
        return
    message = json.loads(answer)
    streamed = await handle("POST", "/v1/messages", "", {}, json.dumps({**request, "stream": True}).encode())
    parser, accumulator = SSEParser(), Accumulator()
    async for chunk in streamed.body:
        for event in parser.feed(chunk):
            accumulator.add_sse(event)
    assert accumulator.finish().message == message
    assert message["usage"]["output_tokens"] <= request["max_tokens"]
    schemas = {t["name"]: t["input_schema"] for t in request.get("tools", [])}
    for block in message["content"]:
        assert block["type"] != "text" or block["text"], "no empty text blocks"
        if block["type"] == "tool_use":
            jsonschema.validate(block["input"], schemas[block["name"]])
    for stop in request.get("stop_sequences", []):
        assert all(stop not in b.get("text", "") for b in message["content"])
