"""Pathological but parseable bodies cost bounded work: the message cap stops checking like
the API does, findings and per-block checks have ceilings, and the depth check reads the
text instead of walking every parsed node."""

from __future__ import annotations

import json
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.contract.validate import parse_body, validate_request
from playground.contract.validate_base import MAX_BLOCKS, MAX_FINDINGS
from playground.contract.validate_json import _depth_exceeds


def test_it_stops_at_the_message_cap_like_the_api():
    body = {"model": "sim-1", "max_tokens": 5,
            "messages": [{"role": "user", "content": ""}] * 100_001}
    findings = validate_request(body)
    assert [f.api_message() for f in findings] == [
        "messages: List should have at most 100000 items after validation, not 100001"]


def test_it_lists_at_most_a_thousand_findings():
    body = {"model": "sim-1", "max_tokens": 5,
            "messages": [{"role": "user", "content": [{"type": "text", "text": ""}] * 5000}]}
    findings = validate_request(body)
    assert len(findings) == MAX_FINDINGS + 1
    assert findings[-1].severity == "warning"
    assert findings[-1].message.startswith("not fully checked: more than 1000 findings")
    assert findings[0].api_message() == "messages: text content blocks must be non-empty"


def test_it_checks_at_most_200000_blocks_one_by_one():
    blocks = [{"type": "text", "text": "a"}] * (MAX_BLOCKS + 10) + [{"type": "nope"}]
    body = {"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": blocks}]}
    findings = validate_request(body)
    assert [(f.severity, f.message.split(":")[0]) for f in findings] == [
        ("warning", "not fully checked")]


def test_it_parses_a_million_objects_in_bounded_time():
    raw = b'{"model": "sim-1", "pad": [' + b"{}," * 1_000_000 + b"{}]}"
    start = time.perf_counter()
    body, findings = parse_body(raw)
    elapsed = time.perf_counter() - start
    assert findings == [] and len(body["pad"]) == 1_000_001
    # a generous ceiling: about 1.5 s on the shared development machine
    assert elapsed < 8


def _true_depth(value: object) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


# strings full of brackets and escapes must not count as nesting
_TRICKY = st.sampled_from(["[", "]", "{", "}", '"[', "\\", "\\\"]", "ok", "é{"])
_NESTED = st.recursive(
    st.none() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=3),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(_NESTED)
def test_it_measures_nesting_exactly(value):
    raw = json.dumps(value, ensure_ascii=False).encode()
    depth = _true_depth(value)
    for limit in (depth - 1, depth):
        assert _depth_exceeds(raw, limit) is (depth > limit)
