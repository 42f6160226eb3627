"""Diff two versions of a saved request by JSON path.

The request is compared by the inspector's `diff_requests` (grouped as messages, system,
tools, params, cache breakpoints; media summarized); the rest of the state adds its own
sections (provider and headers, tool mocks, notes, variables) compared the same way.
"""

from __future__ import annotations

import json

from playground.inspector.diff import Change, RequestDiff, diff_requests, flatten
from playground.inspector.jsonview import summarize_media

STATE_SECTIONS = (
    ("provider and headers", ("provider", "headers")),
    ("tool mocks", ("mocks",)),
    ("notes", ("notes",)),
    ("variables", ("variables",)),
)


def _show(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _changes(a: dict, b: dict, keys: tuple[str, ...]) -> list[Change]:
    fa = flatten(summarize_media({k: a.get(k) for k in keys}))
    fb = flatten(summarize_media({k: b.get(k) for k in keys}))
    changes = []
    for path in dict.fromkeys([*fa, *fb]):
        if path not in fb:
            changes.append(Change(path, "removed", before=_show(fa[path])))
        elif path not in fa:
            changes.append(Change(path, "added", after=_show(fb[path])))
        elif fa[path] != fb[path] or type(fa[path]) is not type(fb[path]):
            changes.append(Change(path, "changed", _show(fa[path]), _show(fb[path])))
    return changes


def diff_states(a: dict, b: dict) -> RequestDiff:
    """Changes from state `a` to state `b`, by section and JSON path."""
    result = diff_requests(a.get("request"), b.get("request"))
    for section, keys in STATE_SECTIONS:
        result.sections[section] = _changes(a, b, keys)
    return result
