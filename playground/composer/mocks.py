"""Mock tool results for tool loops: a static JSON value or a template over the tool's input.

Policy: no evaluation of any kind. A template is plain text with `{{input.a.b}}` placeholders
(dotted object keys, numeric segments index arrays, `{{input}}` is the whole input). Values are
inserted JSON-escaped, so a template that is itself JSON stays valid JSON whatever the model put
into the tool input: a string is inserted as its escaped content (without the quotes, so
`"{{input.city}}"` works inside a JSON string), any other value as compact JSON. A path the input
does not have renders as an empty string. A static value that is a string is returned as is;
any other static value is serialized as JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_TEMPLATE_CHARS = 100_000

_PLACEHOLDER = re.compile(r"\{\{\s*input((?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")
_MISSING = object()


class MockError(ValueError):
    """A mock definition that cannot be used (wrong type, wrong shape)."""


def check_mock(mock: object) -> dict:
    """The mock if it is well formed, else MockError with a message for the page."""
    if not isinstance(mock, dict):
        raise MockError("a mock must be an object with a type")
    kind = mock.get("type")
    if kind == "static":
        if "value" not in mock:
            raise MockError("a static mock needs a value")
        allowed = {"type", "value", "is_error"}
    elif kind == "template":
        template = mock.get("template")
        if not isinstance(template, str):
            raise MockError("a template mock needs a template string")
        if len(template) > MAX_TEMPLATE_CHARS:
            raise MockError(f"a template is limited to {MAX_TEMPLATE_CHARS} characters")
        allowed = {"type", "template", "is_error"}
    else:
        raise MockError('a mock type is "static" or "template"')
    unknown = set(mock) - allowed
    if unknown:
        raise MockError(f"unknown mock field: {sorted(unknown)[0]}")
    if "is_error" in mock and not isinstance(mock["is_error"], bool):
        raise MockError("is_error must be true or false")
    return mock


def _lookup(value: Any, path: str) -> Any:
    for key in path.split(".")[1:]:
        if isinstance(value, dict):
            value = value.get(key, _MISSING)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def _escaped(value: Any) -> str:
    if value is _MISSING:
        return ""
    if isinstance(value, str):
        # The JSON string literal without its quotes: safe inside "...", readable in prose.
        return json.dumps(value, ensure_ascii=False)[1:-1]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_mock(mock: dict, tool_input: Any) -> str:
    """The tool_result content a mock gives for this tool input."""
    check_mock(mock)
    if mock["type"] == "static":
        value = mock["value"]
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _PLACEHOLDER.sub(lambda m: _escaped(_lookup(tool_input, m.group(1))), mock["template"])
