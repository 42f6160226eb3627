"""Tool inputs and structured output satisfy the schema they were generated for."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.simulator.schema_fill import fill

SCHEMAS = {
    "scalars": {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 5, "maximum": 7},
            "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "step": {"type": "integer", "multipleOf": 5, "minimum": 12},
            "half": {"type": "number", "multipleOf": 0.5, "minimum": 1.2, "maximum": 3},
            "neg": {"type": "integer", "exclusiveMaximum": 0},
            "flag": {"type": "boolean"},
            "nothing": {"type": "null"},
        },
        "required": ["n", "x", "flag"],
        "additionalProperties": False,
    },
    "strings": {
        "type": "object",
        "properties": {
            "short": {"type": "string", "maxLength": 2},
            "long": {"type": "string", "minLength": 30},
            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "when": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "pick": {"type": "string", "enum": ["red", "green", "blue"]},
            "fixed": {"const": "v1"},
            "preset": {"type": "string", "default": "zz"},
            "maybe": {"type": ["string", "null"]},
        },
    },
    "arrays": {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "minLength": 3}, "minItems": 3, "uniqueItems": True},
            "ints": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 3}, "minItems": 4,
                     "uniqueItems": True},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 2},
            "none": {"type": "array", "maxItems": 0},
        },
        "required": ["tags", "ints"],
    },
    "nested_refs_and_combinators": {
        "type": "object",
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}}}},
        "properties": {
            "root": {"$ref": "#/$defs/node"},
            "either": {"anyOf": [{"type": "null"}, {"type": "integer", "maximum": -5}]},
            "one": {"oneOf": [{"type": "string", "enum": ["a"]}, {"type": "number"}]},
            "both": {"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"required": ["b"], "properties": {"b": {"type": "number", "minimum": 100}}},
            ]},
            "address": {
                "type": "object",
                "properties": {"street": {"type": "string"}, "zip": {"type": "string", "pattern": "^\\d{5}$"}},
                "required": ["street", "zip"],
                "additionalProperties": False,
            },
        },
        "required": ["root", "both", "address"],
    },
    "draft4_bounds": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"p": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1}},
        "required": ["p"],
    },
    "empty": {"type": "object", "properties": {}},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_it_fills_schemas_validly(name):
    schema = SCHEMAS[name]
    value = fill(schema, seed="s", hints=["Paris", "London"])
    jsonschema.validators.validator_for(schema)(schema).validate(value)


def test_it_fills_every_property_and_uses_the_users_words():
    value = fill(SCHEMAS["strings"], seed="s", hints=["Paris"])
    assert set(value) == set(SCHEMAS["strings"]["properties"])
    assert value["maybe"] == "Paris"


def test_it_is_deterministic_per_seed():
    assert fill(SCHEMAS["scalars"], seed="a") == fill(SCHEMAS["scalars"], seed="a")
    seeds = {repr(fill(SCHEMAS["scalars"], seed=str(n))) for n in range(10)}
    assert len(seeds) > 1


_leaf = st.one_of(
    st.fixed_dictionaries({"type": st.just("string")}, optional={
        "minLength": st.integers(0, 5), "maxLength": st.integers(5, 20)}),
    st.fixed_dictionaries({"type": st.just("string"),
                           "enum": st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=3, unique=True)}),
    st.fixed_dictionaries({"type": st.just("integer")}, optional={
        "minimum": st.integers(-50, 0), "maximum": st.integers(1, 50), "multipleOf": st.integers(1, 5)}),
    st.fixed_dictionaries({"type": st.just("number")}, optional={
        "minimum": st.floats(-10, 0), "maximum": st.floats(1, 10)}),
    st.just({"type": "boolean"}),
)
_schema = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(lambda props, req: {"type": "object", "properties": props,
                                      "required": [k for k in props if k in req]},
                  st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=4),
                  st.sets(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=3)),
        st.builds(lambda items, low: {"type": "array", "items": items, "minItems": low},
                  inner, st.integers(0, 3)),
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(schema=_schema, seed=st.text(max_size=8))
def test_it_satisfies_generated_schemas(schema, seed):
    value = fill(schema, seed=seed, hints=["Lyon"])
    jsonschema.Draft202012Validator(schema).validate(value)
