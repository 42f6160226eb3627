"""A caller's schema cannot make the simulator's work unbounded (issue 14, item 1).

Each of these requests stalled or exhausted the server before the caps: a backtracking
`pattern` tried on a word of the user's text, a huge `minItems` or `minLength`, a `$ref`
that fans out at every level, an `allOf` that refers to itself.
"""

from __future__ import annotations

import json
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.simulator import schema_fill
from playground.simulator.schema_fill import fill, fill_bounded

# Generous for a busy 2-core machine; the unbounded versions took 10 s to minutes.
FAST = 2.0


def _timed(schema: dict, hints: list[str] = ()) -> tuple[schema_fill.Filled, float]:
    start = time.perf_counter()
    filled = fill_bounded(schema, seed="s", hints=hints)
    return filled, time.perf_counter() - start


def test_it_never_runs_a_pattern_with_a_backtracking_engine():
    # Python's `re` takes time doubling with each extra "a" here (about 10 s at 26).
    schema = {"type": "string", "pattern": "^(a+)+$"}
    filled, elapsed = _timed(schema, hints=["a" * 40 + "b"])
    assert elapsed < FAST
    assert isinstance(filled.value, str)


def test_it_still_checks_candidates_against_the_pattern():
    schema = {"type": "string", "pattern": "^[A-Z][a-z]+$"}
    assert fill(schema, seed="s", hints=["Lyon"]) == "Lyon"
    assert fill(schema, seed="s", hints=["lyon"]) != "lyon"


def test_a_pattern_re2_refuses_is_rendered_not_run():
    schema = {"type": "string", "pattern": r"^(a+)\1(?=b)b{2000000000}$"}
    filled, elapsed = _timed(schema, hints=["aaab"])
    assert elapsed < FAST
    assert len(filled.value) <= schema_fill.MAX_STRING


def test_it_caps_items_and_says_so():
    filled, elapsed = _timed({"type": "array", "minItems": 10**12, "items": {"type": "integer"}})
    assert elapsed < FAST
    assert len(filled.value) == schema_fill.MAX_ITEMS
    assert filled.complete is False


def test_it_caps_string_length():
    filled, elapsed = _timed({"type": "string", "minLength": 10**15})
    assert elapsed < FAST
    assert len(filled.value) == schema_fill.MAX_STRING
    assert filled.complete is False


def test_it_caps_generated_properties():
    filled, _ = _timed({"type": "object", "minProperties": 10**9})
    assert len(filled.value) <= schema_fill.MAX_PROPERTIES
    assert filled.complete is False


def test_a_fanning_ref_is_cut_by_the_node_budget():
    # Eight required children per level, eight levels: 16 million nodes unbounded.
    node = {"type": "object", "properties": {k: {"$ref": "#/$defs/n"} for k in "abcdefgh"},
            "required": list("abcdefgh")}
    schema = {"$defs": {"n": node}, "type": "object", "properties": {"x": {"$ref": "#/$defs/n"}},
              "required": ["x"]}
    filled, elapsed = _timed(schema)
    assert elapsed < FAST
    assert filled.complete is False
    assert len(json.dumps(filled.value)) < 10 * schema_fill.MAX_CHARS


def test_an_allof_that_refers_to_itself_terminates():
    schema = {"type": "object", "properties": {"x": {"allOf": [{"$ref": "#/properties/x"}]}}, "required": ["x"]}
    filled, elapsed = _timed(schema)
    assert elapsed < FAST
    assert "x" in filled.value


def test_many_long_strings_stay_under_the_character_budget():
    schema = {"type": "array", "minItems": 200, "items": {"type": "string", "minLength": 90_000}}
    filled, elapsed = _timed(schema)
    assert elapsed < FAST
    assert sum(len(s) for s in filled.value) <= schema_fill.MAX_CHARS
    assert filled.complete is False


def test_malformed_keywords_do_not_crash():
    schema = {"allOf": [{"properties": {"a": {}}, "required": [["x"], 3, "a"]}, {"properties": [1]}],
              "required": 7, "minItems": "9", "type": "object"}
    assert "a" in fill(schema, seed="s")


_huge = st.integers(0, 10**12)
_adversarial = st.recursive(
    st.one_of(
        st.builds(lambda n: {"type": "string", "minLength": n}, _huge),
        st.builds(lambda p: {"type": "string", "pattern": p}, st.sampled_from(
            ["^(a+)+$", "(x+x+)+y", "^(\\w+\\s?)*$", "a{999}{999}", "(a|aa)*c", "[", "\\"])),
        st.builds(lambda n: {"type": "object", "minProperties": n}, _huge),
        st.just({"$ref": "#"}),
        st.just({"allOf": [{"$ref": "#"}]}),
    ),
    lambda inner: st.one_of(
        st.builds(lambda items, n: {"type": "array", "items": items, "minItems": n, "uniqueItems": True},
                  inner, _huge),
        st.builds(lambda props: {"type": "object", "properties": props, "required": sorted(props)},
                  st.dictionaries(st.sampled_from("abcdef"), inner, max_size=6)),
        st.builds(lambda parts: {"anyOf": parts}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(schema=_adversarial)
def test_any_schema_is_filled_quickly_and_boundedly(schema):
    filled, elapsed = _timed(schema, hints=["a" * 30 + "!", "x" * 30])
    assert elapsed < FAST
    assert len(json.dumps(filled.value, default=str)) < 10 * schema_fill.MAX_CHARS
