"""Property: any Message, streamed (message_to_events + encode_event), cut into random chunks
at random byte offsets and parsed back, accumulates to exactly the same Message."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.contract.accumulate import Accumulator
from playground.contract.events import message_to_sse
from playground.contract.sse import SSEParser

text = st.text(max_size=80)  # any code point, lone surrogates included
json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8)
citation = st.fixed_dictionaries({
    "type": st.just("web_search_result_location"), "url": text, "title": text, "cited_text": text,
    "encrypted_index": text,
})
block = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": text}),
    st.fixed_dictionaries({"type": st.just("text"), "text": text, "citations": st.lists(citation, max_size=2)}),
    st.fixed_dictionaries({"type": st.just("thinking"), "thinking": text, "signature": text}),
    st.fixed_dictionaries({"type": st.just("redacted_thinking"), "data": text}),
    st.fixed_dictionaries({"type": st.just("tool_use"), "id": text, "name": text,
                           "input": st.dictionaries(text, json_value, max_size=4)}),
    st.fixed_dictionaries({"type": st.just("tool_use"), "id": text, "name": text,
                           "input": st.dictionaries(text, json_value, max_size=4),
                           "caller": st.just({"type": "direct"})}),
    st.fixed_dictionaries({"type": st.just("server_tool_use"), "id": text, "name": st.just("web_search"),
                           "input": st.dictionaries(text, json_value, max_size=2)}),
    st.fixed_dictionaries({"type": st.just("web_search_tool_result"), "tool_use_id": text,
                           "content": st.lists(st.dictionaries(text, json_value, max_size=3), max_size=2)}),
)
usage = st.fixed_dictionaries(
    {"input_tokens": st.integers(0, 10**6), "output_tokens": st.integers(0, 10**6)},
    optional={
        "cache_creation_input_tokens": st.integers(0, 10**6),
        "cache_read_input_tokens": st.integers(0, 10**6),
        "cache_creation": st.fixed_dictionaries({"ephemeral_5m_input_tokens": st.integers(0, 9),
                                                 "ephemeral_1h_input_tokens": st.integers(0, 9)}),
        "service_tier": st.sampled_from(["standard", "priority", "batch"]),
        "inference_geo": st.sampled_from(["global", "not_available"]),
        "server_tool_use": st.fixed_dictionaries({"web_search_requests": st.integers(0, 9)}),
        "output_tokens_details": st.fixed_dictionaries({"thinking_tokens": st.integers(0, 99)}),
    },
)
message = st.fixed_dictionaries(
    {
        "id": text, "type": st.just("message"), "role": st.just("assistant"), "model": text,
        "content": st.lists(block, max_size=6),
        "stop_reason": st.sampled_from(["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]),
        "stop_sequence": st.none() | text,
        "usage": usage,
    },
    optional={
        "stop_details": st.none() | st.fixed_dictionaries({"type": st.just("refusal"), "category": st.just("cyber")}),
        "container": st.none() | st.fixed_dictionaries({"id": text, "expires_at": text}),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=message, seed=st.integers(0, 2**32 - 1), eol=st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_it_gives_back_any_message_from_its_stream_cut_anywhere(message, seed, eol):
    body = message_to_sse(message).replace(b"\n", eol)
    rng = random.Random(seed)
    parser, acc, pos = SSEParser(), Accumulator(), 0
    raws = []
    while pos < len(body):
        step = rng.randint(1, 40)
        for ev in parser.feed(body[pos : pos + step]):
            raws.append(ev.raw)
            acc.add_sse(ev)
        pos += step
    for ev in parser.close():
        raws.append(ev.raw)
        acc.add_sse(ev)
    result = acc.finish()
    assert b"".join(raws) == body
    assert result.outcome == "completed"
    assert result.anomalies == []
    assert result.message == message
