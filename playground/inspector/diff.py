"""Diffs between two requests (by JSON path) and two responses (text side by side).

Pure functions over plain JSON values. A request diff is grouped the way people read a
request: messages, system, tools, params, cache breakpoints. Media is summarized before
comparing, so two requests carrying the same 20 MB PDF compare as equal cheaply and the
diff never shows base64.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from playground.inspector.jsonview import summarize_media

SECTIONS = ("messages", "system", "tools", "params", "cache breakpoints")
MAX_SIDE_BY_SIDE_LINES = 4000


@dataclass
class Change:
    path: str
    kind: str  # "added" | "removed" | "changed"
    before: str = ""
    after: str = ""


@dataclass
class RequestDiff:
    sections: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.sections.values())


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def flatten(value: object, path: str = "") -> dict[str, object]:
    """`{"a": [{"b": 1}]}` -> `{"a[0].b": 1}`; empty containers are kept as leaves."""
    flat: dict[str, object] = {}
    if isinstance(value, dict) and value:
        for key, item in value.items():
            flat.update(flatten(item, _join(path, key)))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            flat.update(flatten(item, _join(path, i)))
    else:
        flat[path] = value
    return flat


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def cache_breakpoints(body: object) -> list[str]:
    """Paths of every block carrying `cache_control`, in cache prefix order."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    if isinstance(body.get("cache_control"), dict):
        found.append("cache_control (automatic)")

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("cache_control"), dict):
                ttl = value["cache_control"].get("ttl", "5m")
                found.append(f"{path} ({ttl})")
            for key, item in value.items():
                if key != "cache_control":
                    walk(item, _join(path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, _join(path, i))

    for key in ("tools", "system", "messages"):
        walk(body.get(key), key)
    return found


def _section_of(path: str) -> str:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return head if head in ("messages", "system", "tools") else "params"


def diff_requests(a: object, b: object) -> RequestDiff:
    a = summarize_media(a if isinstance(a, dict) else {})
    b = summarize_media(b if isinstance(b, dict) else {})
    fa, fb = flatten(a), flatten(b)
    result = RequestDiff({name: [] for name in SECTIONS})
    for path in list(dict.fromkeys([*fa, *fb])):
        if path in fa and path not in fb:
            change = Change(path, "removed", before=_show(fa[path]))
        elif path in fb and path not in fa:
            change = Change(path, "added", after=_show(fb[path]))
        elif fa[path] != fb[path] or type(fa[path]) is not type(fb[path]):
            change = Change(path, "changed", _show(fa[path]), _show(fb[path]))
        else:
            continue
        result.sections[_section_of(path)].append(change)
    ca, cb = cache_breakpoints(a), cache_breakpoints(b)
    for item in ca:
        if item not in cb:
            result.sections["cache breakpoints"].append(Change(item, "removed", before=item))
    for item in cb:
        if item not in ca:
            result.sections["cache breakpoints"].append(Change(item, "added", after=item))
    return result


@dataclass
class SideBySideRow:
    kind: str  # "equal" | "replace" | "delete" | "insert"
    left: str
    right: str


def side_by_side(left: str, right: str) -> list[SideBySideRow]:
    """Aligned rows of two texts, line by line (difflib opcodes)."""
    a = left.splitlines()[:MAX_SIDE_BY_SIDE_LINES]
    b = right.splitlines()[:MAX_SIDE_BY_SIDE_LINES]
    rows: list[SideBySideRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        span = max(i2 - i1, j2 - j1)
        for k in range(span):
            la = a[i1 + k] if i1 + k < i2 else ""
            lb = b[j1 + k] if j1 + k < j2 else ""
            rows.append(SideBySideRow(tag, la, lb))
    return rows
