"""The installed official SDK's request types, read by introspection, as test data.

The `anthropic` package describes every request body it can send as TypedDicts, Unions,
Literals and Iterables (`anthropic/types/*_param.py`, `anthropic/types/beta/*_param.py`).
This module walks those types from the request roots and turns them into JSON:

- `knob_requests(root)`: one request per "knob" of the type tree (every union variant,
  every field of every TypedDict, every literal value, `null` where the type is Optional),
  each minimal everywhere else, labelled with the path that reaches the knob;
- `strategy(root)`: a hypothesis strategy drawing whole requests of that type;
- `conforms(value, root)`: whether a JSON value fits a type (to tell beta-only shapes).

Nothing here is pinned to an SDK version: a new release that adds a block type, a field
or a literal value adds knobs, and the tests that use them fail until the validator knows
them. Parameters the SDK sends as headers, not in the body, are found by sending a request
through the SDK itself (see `header_params`).
"""

from __future__ import annotations

import collections.abc
import contextlib
import functools
import json
import types
import typing
from dataclasses import dataclass

import anthropic
import httpx2 as httpx
import typing_extensions
from anthropic import Anthropic
from anthropic.types import message_count_tokens_params, message_create_params
from anthropic.types.anthropic_beta_param import AnthropicBetaParam
from anthropic.types.beta import message_count_tokens_params as beta_count_tokens_params
from anthropic.types.beta import message_create_params as beta_create_params
from hypothesis import strategies as st

ROOTS = {
    "messages": message_create_params.MessageCreateParamsNonStreaming,
    "count_tokens": message_count_tokens_params.MessageCountTokensParams,
    "beta messages": beta_create_params.MessageCreateParamsNonStreaming,
    "beta count_tokens": beta_count_tokens_params.MessageCountTokensParams,
}
_LIST_ORIGINS = (collections.abc.Iterable, collections.abc.Sequence, list,
                 collections.abc.MutableSequence)
_DICT_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def beta_names() -> list[str]:
    """Every beta name the SDK knows (the `anthropic-beta` values of `AnthropicBetaParam`)."""
    return sorted(_literals(AnthropicBetaParam))


def _literals(tp: object) -> set[str]:
    out: set[str] = set()
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Literal, typing_extensions.Literal):
        out.update(v for v in typing.get_args(tp) if isinstance(v, str))
    elif _is_union(tp):
        for arg in typing.get_args(tp):
            out |= _literals(arg)
    return out


# -- the type tree ---------------------------------------------------------------------

def _strip(tp: object) -> object:
    """Drop Required/NotRequired/Annotated wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin in (typing.Required, typing.NotRequired, typing_extensions.Required,
                      typing_extensions.NotRequired, typing.Annotated):
            tp = typing.get_args(tp)[0]
            continue
        return tp


def _is_union(tp: object) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _hints(td: type) -> dict[str, object]:
    return typing.get_type_hints(td, include_extras=True)


@dataclass(frozen=True)
class Field:
    name: str
    tp: object
    required: bool


@functools.cache
def fields(td: type) -> list[Field]:
    """A TypedDict's fields in declaration order. The SDK declares its TypedDicts with
    `total=False` and marks required fields with `Required[...]`; with postponed annotations
    `__required_keys__` cannot see that marker, so it is read from the hints."""
    return [Field(name, tp, typing.get_origin(tp) in (typing.Required, typing_extensions.Required))
            for name, tp in _hints(td).items()]


def kind(tp: object) -> str:
    """What a (stripped) type is: typeddict, union, literal, list, dict, str, int, float,
    bool, none, any."""
    tp = _strip(tp)
    if tp is type(None):
        return "none"
    if typing_extensions.is_typeddict(tp):
        return "typeddict"
    if _is_union(tp):
        return "union"
    origin = typing.get_origin(tp)
    if origin in (typing.Literal, typing_extensions.Literal):
        return "literal"
    if origin in _LIST_ORIGINS or _is_sequence_not_str(tp):
        return "list"
    if origin in _DICT_ORIGINS or tp in (dict, typing.Dict):  # noqa: UP006
        return "dict"
    if tp is str:
        return "str"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    return "any"


def _is_sequence_not_str(tp: object) -> bool:
    origin = typing.get_origin(tp)
    return getattr(origin, "__name__", "") == "SequenceNotStr"


def item_type(tp: object) -> object:
    args = typing.get_args(_strip(tp))
    return args[0] if args else object


@functools.cache
def variants(tp: object) -> list[object]:
    """A union's members, flattened (Optional's None included).

    Members that are not JSON shapes are left out: response models the SDK accepts back
    (pydantic classes) and file objects it encodes to base64 text itself. So is a bare
    `Dict[str, object]` beside a TypedDict (`input_schema`): the TypedDict is the shape."""
    out: list[object] = []
    for arg in typing.get_args(_strip(tp)):
        arg = _strip(arg)
        if _is_union(arg):
            out.extend(variants(arg))
        elif kind(arg) != "any":
            out.append(arg)
    if any(kind(m) == "typeddict" for m in out):
        out = [m for m in out if kind(m) != "dict"]
    return out


def name_of(tp: object) -> str:
    tp = _strip(tp)
    k = kind(tp)
    if k == "typeddict":
        return tp.__name__
    if k == "literal":
        return "Literal[" + ", ".join(repr(v) for v in typing.get_args(tp)) + "]"
    if k == "list":
        return f"list[{name_of(item_type(tp))}]"
    return k


# -- minimal values and knobs ------------------------------------------------------------

# Values for strings whose meaning the validator checks beyond their type, so that the
# minimal request is as clean as a generic one can be. Semantic findings are ignored by the
# shape tests anyway; these only keep the noise down.
_STRINGS = {
    "model": "sim-1", "id": "toolu_01", "tool_use_id": "toolu_01", "name": "lookup",
    "media_type": "text/plain", "url": "https://example.com/a", "signature": "sig",
    "text": "hello", "thinking": "hmm", "data": "aGVsbG8=",
}


# Optional fields a value needs all the same, by a rule the types cannot express, with where
# the rule is written.
_NEEDED = {
    # BetaSystemMessageOutputConfigParam's docstring: "a message with neither content nor
    # output_config fields is rejected"
    "BetaSystemMessageParam": ("content",),
}


def minimal(tp: object, field: str = "", depth: int = 0) -> object:
    """The smallest value of a type: required fields only, first union member, first
    literal, one list item."""
    tp = _strip(tp)
    k = kind(tp)
    if depth > 12:
        return None
    if k == "typeddict":
        needed = _NEEDED.get(tp.__name__, ())
        return {f.name: minimal(f.tp, f.name, depth + 1) for f in fields(tp)
                if f.required or f.name in needed}
    if k == "union":
        members = [v for v in variants(tp) if kind(v) != "none"]
        # prefer a plain string or list over a dict where the union allows it
        return minimal(members[0], field, depth + 1)
    if k == "literal":
        return typing.get_args(tp)[0]
    if k == "list":
        return [minimal(item_type(tp), field, depth + 1)]
    if k == "dict":
        return {}
    if k == "str":
        return _STRINGS.get(field, "x")
    if k == "bool":
        return False
    if k == "int":
        return 1024 if field in ("max_tokens", "budget_tokens") else 1
    if k == "float":
        return 0.5
    if k == "none":
        return None
    return {}


@dataclass(frozen=True)
class Knob:
    label: str  # "messages[].UserMessageParam.content[].TextBlockParam.citations"
    value: object  # the value exercising the knob at this level


def knobs(tp: object, label: str = "", field: str = "", seen: tuple = ()) -> list[Knob]:
    """One value per knob of the type, minimal everywhere else."""
    tp = _strip(tp)
    k = kind(tp)
    if k == "typeddict":
        if tp in seen:  # a recursive type: its knobs were listed further up
            return []
        seen = (*seen, tp)
        base = minimal(tp, field)
        out = [Knob(label or tp.__name__, base)]
        for f in fields(tp):
            for inner in knobs(f.tp, f"{label}.{f.name}", f.name, seen):
                out.append(Knob(inner.label, {**base, f.name: inner.value}))
        return out
    if k == "union":
        out = []
        for member in variants(tp):
            if kind(member) == "none":
                out.append(Knob(f"{label}=null", None))
                continue
            tag = name_of(member)
            out.extend(Knob(inner.label, inner.value)
                       for inner in knobs(member, f"{label}<{tag}>", field, seen))
        return out
    if k == "literal":
        return [Knob(f"{label}={v!r}", v) for v in typing.get_args(tp)]
    if k == "list":
        return [Knob(inner.label, [inner.value])
                for inner in knobs(item_type(tp), f"{label}[]", field, seen)]
    return [Knob(label, minimal(tp, field))]


@functools.cache
def knob_requests(root: type) -> list[Knob]:
    """Whole request bodies, one per knob of the request type."""
    return [Knob(k.label, k.value) for k in knobs(root)]


def literal_values(root: type) -> set[tuple[str, str]]:
    """(owner, value) of every string literal reachable from root; owner is the TypedDict
    field that holds it (`ThinkingConfigAdaptiveParam.display`)."""
    out: set[tuple[str, str]] = set()

    def visit(tp: object, owner: str, seen: tuple) -> None:
        tp = _strip(tp)
        k = kind(tp)
        if k == "typeddict":
            if tp in seen:
                return
            for f in fields(tp):
                visit(f.tp, f"{tp.__name__}.{f.name}", (*seen, tp))
        elif k == "union":
            for member in variants(tp):
                visit(member, owner, seen)
        elif k == "literal":
            out.update((owner, v) for v in typing.get_args(tp) if isinstance(v, str))
        elif k == "list":
            visit(item_type(tp), owner, seen)

    visit(root, "", ())
    return out


def typeddicts(root: type) -> set[type]:
    out: set[type] = set()

    def visit(tp: object) -> None:
        tp = _strip(tp)
        k = kind(tp)
        if k == "typeddict":
            if tp in out:
                return
            out.add(tp)
            for f in fields(tp):
                visit(f.tp)
        elif k == "union":
            for member in variants(tp):
                visit(member)
        elif k == "list":
            visit(item_type(tp))

    visit(root)
    return out


# -- conformance ---------------------------------------------------------------------------

def conforms(value: object, tp: object) -> bool:
    """Whether a JSON value fits a type as the SDK declares it (extra keys do not fit)."""
    tp = _strip(tp)
    k = kind(tp)
    if k == "typeddict":
        if not isinstance(value, dict):
            return False
        declared = {f.name: f for f in fields(tp)}
        if any(key not in declared for key in value):
            return False
        if any(f.required and f.name not in value for f in declared.values()):
            return False
        return all(conforms(v, declared[key].tp) for key, v in value.items())
    if k == "union":
        return any(conforms(value, member) for member in variants(tp))
    if k == "literal":
        return value in typing.get_args(tp)
    if k == "list":
        return isinstance(value, list) and all(conforms(v, item_type(tp)) for v in value)
    if k == "dict":
        return isinstance(value, dict)
    if k == "str":
        return isinstance(value, str)
    if k == "bool":
        return isinstance(value, bool)
    if k == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if k == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if k == "none":
        return value is None
    return True


# -- hypothesis ----------------------------------------------------------------------------

_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5))


@functools.cache
def strategy(tp: object, field: str = "", depth: int = 0) -> st.SearchStrategy:
    """Values of a type: optional fields included at random, every union member, every
    literal; strings from a small alphabet, lists of one or two items. Deeper than a few
    levels a value is minimal, which keeps draws (and the beta tree) small."""
    tp = _strip(tp)
    k = kind(tp)
    if k == "typeddict":
        if depth > 5:
            return st.just(minimal(tp, field))
        needed = _NEEDED.get(tp.__name__, ())
        required = {f.name: strategy(f.tp, f.name, depth + 1) for f in fields(tp)
                    if f.required or f.name in needed}
        optional = {f.name: strategy(f.tp, f.name, depth + 1)
                    for f in fields(tp) if not (f.required or f.name in needed)}
        return st.fixed_dictionaries(required, optional=optional)
    if k == "union":
        return st.one_of([strategy(m, field, depth + 1) for m in variants(tp)])
    if k == "literal":
        return st.sampled_from(typing.get_args(tp))
    if k == "list":
        inner = strategy(item_type(tp), field, depth + 1)
        return st.lists(inner, min_size=1, max_size=2 if depth < 3 else 1)
    if k == "dict":
        return st.dictionaries(st.text("abc", min_size=1, max_size=3), _JSON_LEAF, max_size=2)
    if k == "str":
        if field in _STRINGS:
            return st.just(_STRINGS[field])
        return st.text("abc xyz", min_size=1, max_size=8).filter(str.strip)
    if k == "bool":
        return st.booleans()
    if k == "int":
        if field in ("max_tokens", "budget_tokens"):
            return st.just(1024 if field == "budget_tokens" else 4096)
        return st.integers(1, 50)
    if k == "float":
        return st.floats(0, 1)
    if k == "none":
        return st.none()
    return _JSON_LEAF


# -- parameters the SDK sends as headers -------------------------------------------------

@functools.cache
def header_params(method_name: str = "create", beta: bool = False) -> set[str]:
    """Request-type fields that the SDK sends as HTTP headers rather than in the body,
    found by sending one request through the SDK (no network: a mock transport answers)."""
    root = ROOTS["beta messages" if beta else "messages"]
    probe = {f.name: minimal(f.tp, f.name) for f in fields(root) if not f.required}
    seen: dict[str, object] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen["body"] = json.loads(request.content)
        return httpx.Response(400, json={"type": "error", "error": {
            "type": "invalid_request_error", "message": "probe"}})

    with Anthropic(api_key="probe", base_url="http://probe.invalid", max_retries=0,
                   http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
        resource = client.beta.messages if beta else client.messages
        with contextlib.suppress(anthropic.BadRequestError):  # the probe's answer
            getattr(resource, method_name)(model="sim-1", max_tokens=1,
                                           messages=[{"role": "user", "content": "hi"}],
                                           **probe)
    body = seen.get("body", {})
    return {name for name in probe if name not in body}
