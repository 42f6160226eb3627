"""Prompt-cache report: breakpoints, what was read and written, and why a cache missed.

The cached prefix is read in the API's order, tools -> system -> messages (see the
contract, section 3.5). A miss on a thread step is explained by the first prefix unit
(one tool, one system block, one message block) that differs from the previous step's
request, up to this request's last breakpoint. `cache_control` markers themselves are
left out of the comparison: moving a marker does not change the cached content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from playground.inspector.diff import cache_breakpoints
from playground.inspector.jsonview import summarize_media

# Params that are part of the cache key: changing them invalidates cached messages.
KEYED_PARAMS = ("model", "tool_choice", "thinking")


@dataclass
class Unit:
    path: str
    canon: str
    marked: bool


@dataclass
class CacheReport:
    breakpoints: list[str]
    read_tokens: int
    write_tokens: int
    write_5m: int
    write_1h: int
    uncached_tokens: int
    miss_reason: str = ""
    miss_path: str = ""
    miss_before: str = ""
    miss_after: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def hit_ratio(self) -> float:
        total = self.read_tokens + self.write_tokens + self.uncached_tokens
        return self.read_tokens / total if total else 0.0


def _canon(value: object) -> tuple[str, bool]:
    if isinstance(value, dict):
        marked = isinstance(value.get("cache_control"), dict)
        value = {k: v for k, v in value.items() if k != "cache_control"}
    else:
        marked = False
    return json.dumps(summarize_media(value), sort_keys=True, ensure_ascii=False), marked


def _list(value: object) -> list:
    # A recorded request may hold anything where a list belongs (it was recorded as sent).
    return value if isinstance(value, list) else []


def prefix_units(body: object) -> list[Unit]:
    if not isinstance(body, dict):
        return []
    units: list[Unit] = []
    for i, tool in enumerate(_list(body.get("tools"))):
        units.append(Unit(f"tools[{i}]", *_canon(tool)))
    system = body.get("system")
    if isinstance(system, str):
        units.append(Unit("system", json.dumps(system), False))
    elif isinstance(system, list):
        for i, block in enumerate(system):
            units.append(Unit(f"system[{i}]", *_canon(block)))
    for m, message in enumerate(_list(body.get("messages"))):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        role = message.get("role")
        if isinstance(content, list):
            for b, block in enumerate(content):
                canon, marked = _canon(block)
                units.append(Unit(f"messages[{m}].content[{b}]", f"{role}:{canon}", marked))
        else:
            units.append(Unit(f"messages[{m}].content", f"{role}:{json.dumps(content)}", False))
    return units


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _around_difference(a: str, b: str, before: int = 60, after: int = 240) -> tuple[str, str]:
    """Both texts cut to a window that starts just before their first differing character."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    start = max(0, common - before)
    lead = "…" if start else ""
    return lead + _short(a[start:], before + after), lead + _short(b[start:], before + after)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def explain_miss(body: object, previous: object) -> tuple[str, str, str, str]:
    """(reason, path, before, after) for why `body` could not reuse `previous`'s cache."""
    if not isinstance(body, dict) or not isinstance(previous, dict):
        return "", "", "", ""
    for param in KEYED_PARAMS:
        if body.get(param) != previous.get(param):
            return (f"`{param}` changed", param, _short(json.dumps(previous.get(param))),
                    _short(json.dumps(body.get(param))))
    units, before = prefix_units(body), prefix_units(previous)
    has_auto = isinstance(body.get("cache_control"), dict)
    last_marked = max((i for i, u in enumerate(units) if u.marked), default=-1)
    if last_marked < 0 and not has_auto:
        return "this request has no cache breakpoints", "", "", ""
    end = len(units) if has_auto else last_marked + 1
    for i in range(end):
        if i >= len(before):
            # The previous request's prefix is fully contained: nothing differs before it.
            return "", "", "", ""
        if units[i].canon != before[i].canon or units[i].path != before[i].path:
            was, now = _around_difference(before[i].canon, units[i].canon)
            return ("the cached prefix differs first here", units[i].path, was, now)
    return "", "", "", ""


def cache_report(body: object, usage: dict | None, previous: object = None) -> CacheReport:
    usage = usage or {}
    creation = usage.get("cache_creation") if isinstance(usage.get("cache_creation"), dict) else {}
    report = CacheReport(
        breakpoints=cache_breakpoints(body),
        read_tokens=_int(usage.get("cache_read_input_tokens")),
        write_tokens=_int(usage.get("cache_creation_input_tokens")),
        write_5m=_int(creation.get("ephemeral_5m_input_tokens")),
        write_1h=_int(creation.get("ephemeral_1h_input_tokens")),
        uncached_tokens=_int(usage.get("input_tokens")),
    )
    if len(report.breakpoints) > 4:
        report.notes.append(f"{len(report.breakpoints)} breakpoints: the API accepts at most 4")
    if report.breakpoints and not report.read_tokens and not report.write_tokens:
        report.notes.append("breakpoints set but nothing cached: the prefix may be shorter "
                            "than the model's minimum cacheable length")
    if previous is not None and report.read_tokens == 0:
        reason, path, was, now = explain_miss(body, previous)
        report.miss_reason, report.miss_path = reason, path
        report.miss_before, report.miss_after = was, now
    return report
