"""`{{name}}` placeholders in a request, and filling them from a value set.

Pure functions over plain JSON, no Django. Syntax:

* `{{name}}` or `{{ name }}`: a name starts with a letter or `_` and continues with
  letters, digits, `_`, `-` or `.` (at most 100 characters).
* Anything else between braces (`{{ }}`, `{{1x}}`, a JSON object literal) is left as text.
* `{{{{` is no escape: to send a literal `{{name}}`, give the variable the value
  `{{name}}` (values are inserted as they are, never expanded again).

Placeholders are looked for in every string of the request except the ones that name
structure or carry bytes (SKIP_KEYS: `type`, `role`, `id`, `tool_use_id`, `media_type`,
`data`, `signature`): so the system prompt, text blocks, tool descriptions and schemas,
tool_use inputs, tool_result text, document text and the model all take them. Object keys
are never rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]{0,99})\s*\}\}")
SKIP_KEYS = frozenset({"type", "role", "id", "tool_use_id", "media_type", "data", "signature"})


@dataclass(frozen=True)
class Missing:
    name: str
    paths: tuple[str, ...]


class MissingValues(ValueError):
    """Placeholders with no value in the set; `missing` says which and where."""

    def __init__(self, missing: list[Missing], value_set: str | None = None) -> None:
        self.missing = missing
        self.value_set = value_set
        where = f" in value set {value_set!r}" if value_set else ""
        listed = ", ".join(f"{{{{{m.name}}}}} (at {', '.join(m.paths[:3])})" for m in missing)
        super().__init__(f"no value{where} for {listed}")


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _walk_strings(value: object, path: str):
    """(path, string) for every string that may hold placeholders."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIP_KEYS:
                yield from _walk_strings(item, _join(path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_strings(item, _join(path, i))


def occurrences(request: object) -> dict[str, list[str]]:
    """Each placeholder name with the JSON paths of the strings that use it, in order."""
    found: dict[str, list[str]] = {}
    for path, text in _walk_strings(request, ""):
        if "{{" not in text:
            continue
        for match in PLACEHOLDER.finditer(text):
            paths = found.setdefault(match.group(1), [])
            if not paths or paths[-1] != path:
                paths.append(path)
    return found


def placeholders(request: object) -> set[str]:
    """The names of every placeholder in the request."""
    return set(occurrences(request))


def _fill(value: object, values: dict[str, str]) -> object:
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, dict):
        return {k: (v if k in SKIP_KEYS else _fill(v, values)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value


def resolve(request: object, values: dict[str, str], value_set: str | None = None) -> object:
    """A copy of `request` with every placeholder replaced by its value.

    Raises MissingValues naming every placeholder without a value (and where it is) before
    replacing anything. Values that are not strings are refused with TypeError.
    """
    for name, value in values.items():
        if not isinstance(value, str):
            raise TypeError(f"the value of {name!r} must be a string")
    missing = [
        Missing(name, tuple(paths))
        for name, paths in occurrences(request).items()
        if name not in values
    ]
    if missing:
        raise MissingValues(missing, value_set)
    return _fill(request, values)


def value_set(state: dict, name: str | None = None) -> tuple[str | None, dict[str, str]]:
    """(name, values) of the named value set of a saved state, else the active one, else
    the first; (None, {}) when the state has none. KeyError for an unknown name."""
    variables = state.get("variables") or {}
    sets = variables.get("sets") or []
    if name is None:
        name = variables.get("active")
    if name is None:
        return (sets[0]["name"], dict(sets[0].get("values") or {})) if sets else (None, {})
    for item in sets:
        if item.get("name") == name:
            return name, dict(item.get("values") or {})
    raise KeyError(f"no value set named {name!r}")


def resolve_state(state: dict, name: str | None = None) -> object:
    """The state's request with the named (or active) value set filled in."""
    chosen, values = value_set(state, name)
    return resolve(state.get("request") or {}, values, chosen)
