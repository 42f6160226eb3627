"""The installed official SDK is the authority on request shapes.

Every block type, field and literal value that the `anthropic` package's request types
(`anthropic/types/*_param.py`, `anthropic/types/beta/*_param.py`) know must be known to the
validator: a request built from those types is never rejected for its shape. Beta-only
shapes are accepted with their `anthropic-beta` and get the API's error without it. Nothing
here is pinned: a new SDK release that adds a shape makes these tests fail until the
validator learns it (tests/contract/sdk_shapes.py reads the types).

What is not a shape (and so not checked here) are the rules types cannot express: which
role may carry which block (`tool_use` only in assistant turns), id patterns, pairing,
limits. Those have their own tests, each citing its source.
"""

from __future__ import annotations

import re

import pytest
from anthropic.types.model_param import ModelParam
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.contract import catalogue, validate_base, validate_fields
from playground.contract.validate import validate_request
from tests.contract import sdk_shapes

# Findings that say the validator does not know a shape: pydantic's own wording for an
# unknown key, an unknown union tag, a literal or a type it did not expect, a field it
# requires that the SDK leaves optional, and the policy warning for unknown shapes.
_SHAPE = re.compile(
    r"Extra inputs are not permitted|does not match any of the expected tags|"
    r"Unable to extract tag|^Input should be (?!greater|less)|Field required|"
    r"blocks are not allowed in|" + validate_base.UNKNOWN_SHAPE
)
# The API's role rule for blocks (MESSAGES_API.md §3.3): not a shape, the SDK's message
# content union is one list for both roles.
_PLACEMENT = re.compile(r"blocks can only be in `(user|assistant)` messages")

STABLE = ("messages", "count_tokens")
BETA = ("beta messages", "beta count_tokens")


def _endpoint(root_name: str) -> str:
    return "count_tokens" if "count_tokens" in root_name else "messages"


def _body(root_name: str, value: dict) -> dict:
    """The JSON body the SDK would send: without the parameters it sends as headers."""
    headers = sdk_shapes.header_params(beta=root_name in BETA) | {"betas"}
    return {k: v for k, v in value.items() if k not in headers}


def shape_findings(root_name: str, body: dict, betas: tuple = ()) -> list:
    findings = validate_request(body, endpoint=_endpoint(root_name), betas=betas)
    return [f for f in findings
            if _SHAPE.search(f.message) and not _PLACEMENT.search(f.message)]


def drift(root_name: str) -> list[tuple[str, str]]:
    """(knob, finding) for every SDK knob the validator does not accept as a shape."""
    betas = tuple(sdk_shapes.beta_names()) if root_name in BETA else ()
    misses = []
    for knob in sdk_shapes.knob_requests(sdk_shapes.ROOTS[root_name]):
        found = shape_findings(root_name, _body(root_name, knob.value), betas)
        if found:
            misses.append((knob.label, found[0].api_message()))
    return misses


@pytest.mark.parametrize("root_name", STABLE + BETA)
def test_it_knows_every_block_type_field_and_literal_the_sdk_knows(root_name):
    misses = drift(root_name)
    assert not misses, f"{len(misses)} SDK shapes unknown to the validator, e.g. {misses[:5]}"


def test_the_drift_test_fails_when_the_validator_forgets_one_sdk_literal(monkeypatch):
    # The validator without the beta thinking display "updates" (one SDK literal value):
    # the knob that sends it must be reported.
    assert not [m for m in drift("beta messages") if "display" in m[0]]
    monkeypatch.setattr(validate_fields, "THINKING_DISPLAY_BETA", {})
    misses = drift("beta messages")
    assert any("'updates'" in label and "thinking.adaptive.display" in finding
               for label, finding in misses), misses[:5]


def test_the_drift_test_fails_when_the_validator_forgets_one_sdk_field(monkeypatch):
    keys = dict(validate_fields.THINKING_KEYS)
    keys["adaptive"] = keys["adaptive"] - {"display"}
    monkeypatch.setattr(validate_fields, "THINKING_KEYS", keys)
    misses = drift("messages")
    assert any(label.startswith(".thinking<ThinkingConfigAdaptiveParam>.display")
               for label, _ in misses), misses[:5]


@pytest.mark.parametrize("root_name", STABLE + BETA)
def test_it_places_every_message_block_type_in_some_role(root_name):
    betas = tuple(sdk_shapes.beta_names()) if root_name in BETA else ()
    root = sdk_shapes.ROOTS[root_name]
    message_types = sdk_shapes.variants(
        next(f.tp for f in sdk_shapes.fields(root) if f.name == "messages").__args__[0])
    user = next(t for t in message_types if "User" in t.__name__)
    content = next(f.tp for f in sdk_shapes.fields(user) if f.name == "content")
    blocks = [m for m in sdk_shapes.variants(content) if sdk_shapes.kind(m) == "list"]
    block_types = sdk_shapes.variants(sdk_shapes.item_type(blocks[0]))
    assert len(block_types) > 10
    homeless = []
    for block_type in block_types:
        block = sdk_shapes.minimal(block_type)
        accepted = False
        for role in ("user", "assistant"):
            body = {"model": "sim-1",
                    "messages": [{"role": "user", "content": "hi"},
                                 {"role": role, "content": [block]}]}
            if _endpoint(root_name) == "messages":
                body["max_tokens"] = 64
            findings = validate_request(body, endpoint=_endpoint(root_name), betas=betas)
            if not [f for f in findings if _SHAPE.search(f.message) or _PLACEMENT.search(f.message)]:
                accepted = True
        if not accepted:
            homeless.append(block["type"])
    assert not homeless


def test_it_knows_every_beta_name_the_sdk_knows():
    assert set(sdk_shapes.beta_names()) <= validate_base.KNOWN_BETAS


def test_its_catalogue_knows_every_model_the_sdk_lists():
    models = sdk_shapes._literals(ModelParam)
    assert len(models) > 10
    assert not [m for m in models if catalogue.get_model(m) is None]


@pytest.mark.parametrize("root_name,stable_name", [("beta messages", "messages"),
                                                   ("beta count_tokens", "count_tokens")])
def test_beta_only_shapes_get_the_api_error_without_their_beta(root_name, stable_name):
    stable = sdk_shapes.ROOTS[stable_name]
    checked = 0
    accepted = []
    for knob in sdk_shapes.knob_requests(sdk_shapes.ROOTS[root_name]):
        body = _body(root_name, knob.value)
        if sdk_shapes.conforms(body, stable):
            continue
        checked += 1
        findings = validate_request(body, endpoint=_endpoint(root_name))
        if not [f for f in findings if f.severity == "error"]:
            accepted.append(knob.label)
    assert checked > 1000
    assert not accepted, accepted[:5]


def test_a_beta_shape_with_an_unknown_beta_is_a_warning_not_an_error():
    body = {"model": "sim-1", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}],
            "brand_new_field": {"x": 1}}
    assert [f.message for f in validate_request(body)] == ["Extra inputs are not permitted"]
    findings = validate_request(body, betas="brand-new-feature-2027-01-01")
    assert [f.severity for f in findings] == ["warning"]
    assert validate_base.UNKNOWN_SHAPE in findings[0].message
    # a beta the validator knows does not excuse a field it does not bring
    findings = validate_request(body, betas="files-api-2025-04-14")
    assert [f.severity for f in findings] == ["error"]


@pytest.mark.parametrize("root_name", STABLE)
def test_null_is_accepted_exactly_where_the_sdk_says_a_top_level_field_is_nullable(root_name):
    root = sdk_shapes.ROOTS[root_name]
    headers = sdk_shapes.header_params()
    base = {"model": "sim-1", "messages": [{"role": "user", "content": "hi"}]}
    if root_name == "messages":
        base["max_tokens"] = 64
    checked = {"nullable": 0, "not nullable": 0}
    for field in sdk_shapes.fields(root):
        if field.required or field.name in headers:
            continue
        nullable = sdk_shapes.kind(field.tp) == "union" and any(
            sdk_shapes.kind(v) == "none" for v in sdk_shapes.variants(field.tp))
        findings = [f for f in validate_request({**base, field.name: None},
                                                endpoint=_endpoint(root_name))
                    if f.path == field.name]
        if nullable:
            checked["nullable"] += 1
            assert not findings, field.name
        else:
            checked["not nullable"] += 1
            assert [f.severity for f in findings] == ["error"], field.name
    assert checked["nullable"] >= 2 and checked["not nullable"] >= 5


@pytest.mark.parametrize("root_name", STABLE + BETA)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_requests_drawn_from_the_sdk_types_are_never_rejected_for_their_shape(root_name, data):
    body = data.draw(sdk_shapes.strategy(sdk_shapes.ROOTS[root_name]))
    betas = tuple(sdk_shapes.beta_names()) if root_name in BETA else ()
    found = shape_findings(root_name, _body(root_name, body), betas)
    assert not found, [f.api_message() for f in found]


def test_coverage_counts():
    """The figures docs/contract.md quotes: how much of the SDK the drift test walks."""
    types = set()
    literals = set()
    knobs = 0
    for root in sdk_shapes.ROOTS.values():
        types |= sdk_shapes.typeddicts(root)
        literals |= sdk_shapes.literal_values(root)
        knobs += len(sdk_shapes.knob_requests(root))
    print(f"SDK param types: {len(types)}, literal values: {len(literals)}, knobs: {knobs}, "
          f"beta names: {len(sdk_shapes.beta_names())}")
    assert len(types) > 150 and len(literals) > 300
