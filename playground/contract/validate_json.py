"""Turning raw request bytes into JSON the way the API's front door does, without ever
raising: size cap, UTF-8, JSON syntax, nesting depth, lone surrogates, duplicate keys.

Policy:
- Over 32 MiB (32*1024*1024 bytes) is a 413 `request_too_large` before any parsing, as the
  API's edge answers (`Request exceeds the maximum size`).
- Anything that is not strict JSON is a 400 `invalid_request_error` worded like the API's
  own (`The request body is not valid JSON: ...`): invalid UTF-8, syntax errors, `NaN` and
  `Infinity`, numbers Python cannot hold, nesting deeper than `MAX_DEPTH`, and strings with
  a lone UTF-16 surrogate (`"\\ud800"`), which cannot be stored or re-encoded.
- Duplicate keys in one object are rejected too. The API itself keeps the last value, but a
  recording whose meaning depends on which duplicate a reader keeps is ambiguous, so this
  product refuses it with the path of the object and the key.
- On any error the body is returned as `None`: callers never see half-valid data.
"""

from __future__ import annotations

import json
import re

from playground.contract.validate_base import Finding, format_path

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 256

_PREFIX = "The request body is not valid JSON: "
# Escapes of UTF-16 surrogates; a match is only a real escape when preceded by an even
# number of backslashes (checked below), and only a problem when unpaired.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_HIGH = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")


class _DupDict(dict):
    dup_key: str = ""


class _Reject(ValueError):
    pass


def _error(message: str, loc: tuple = (), error_type: str = "invalid_request_error") -> Finding:
    status = 413 if error_type == "request_too_large" else 400
    return Finding(format_path(loc), "", message, "error", error_type, status)


def _position(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - text.rfind("\n", 0, pos)
    return f"line {line} column {col} (char {pos})"


def _reject_constant(name: str) -> object:
    raise _Reject(f"{name} is not allowed")


def parse_body(raw: bytes) -> tuple[object | None, list[Finding]]:
    """Parse a request body; returns (body, findings). body is None when there is an error."""
    if isinstance(raw, (bytearray, memoryview)):
        raw = bytes(raw)
    elif isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        return None, [_error("Request exceeds the maximum size", error_type="request_too_large")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_error(f"{_PREFIX}invalid UTF-8 at byte {exc.start}")]

    duplicates = False

    def pairs_hook(pairs: list) -> dict:
        nonlocal duplicates
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        duplicates = True
        seen: set = set()
        dup = _DupDict(obj)
        for key, _ in pairs:
            if key in seen:
                dup.dup_key = key
                break
            seen.add(key)
        return dup

    try:
        body = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, [_error(f"{_PREFIX}{exc.msg}: {_position(text, exc.pos)}")]
    except RecursionError:
        return None, [_error(f"{_PREFIX}nesting depth exceeds {MAX_DEPTH}")]
    except _Reject as exc:
        return None, [_error(f"{_PREFIX}{exc}")]
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        return None, [_error(f"{_PREFIX}number out of range ({str(exc)[:60]})")]

    # Nesting needs an opening bracket per level: most bodies have fewer than the limit in
    # all, and skip the walk.
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _depth_exceeds(raw, MAX_DEPTH):
        return None, [_error(f"{_PREFIX}nesting depth exceeds {MAX_DEPTH}")]
    if ("\\ud" in text or "\\uD" in text) and _SURROGATE_ESCAPE.search(text):
        found = _lone_surrogate(text)
        if found is not None:
            loc = _find_loc(body, lambda v: isinstance(v, str) and bool(_SURROGATE_CHAR.search(v)))
            return None, [_error(f"{_PREFIX}{found}", loc or ())]
    if duplicates:
        loc = _find_loc(body, lambda v: isinstance(v, _DupDict))
        key = _get(body, loc).dup_key if loc is not None else ""
        return None, [_error(f"{_PREFIX}duplicate key {json.dumps(key)} in object", loc or ())]
    return body, []


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")
_RUNS = re.compile(rb"\[+|\]+")


def _depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether valid JSON bytes nest deeper than limit.

    Works on the bytes at C speed instead of walking millions of parsed nodes in Python:
    strings are dropped and only brackets kept (as `[` and `]`); each pass removes every
    innermost pair, lowering the depth by exactly one, which makes arrays of small objects
    vanish in a few passes; once a pass removes less than a quarter of what is left, the
    remaining runs of brackets are summed in one walk."""
    brackets = _STRING.sub(b"", raw).translate(_SQUARE, _NOT_BRACKETS)
    removed = 0
    while brackets and removed <= limit:
        before = len(brackets)
        brackets = brackets.replace(b"[]", b"")
        removed += 1
        if (before - len(brackets)) * 4 < before:
            break
    depth = deepest = 0
    for run in _RUNS.findall(brackets):
        if run[0] == 0x5B:  # "["
            depth += len(run)
            deepest = max(deepest, depth)
        else:
            depth -= len(run)
    return deepest + removed > limit if brackets else removed > limit


def _is_escape(text: str, start: int) -> bool:
    n = 0
    i = start - 1
    while i >= 0 and text[i] == "\\":
        n += 1
        i -= 1
    return n % 2 == 0


def _lone_surrogate(text: str) -> str | None:
    """The first unpaired surrogate escape in the raw text, worded like the API."""
    for m in _SURROGATE_ESCAPE.finditer(text):
        start = m.start()
        if not _is_escape(text, start):
            continue
        if _HIGH.match(text, start):
            if _LOW.match(text, start + 6):
                continue
            return f"no low surrogate in string: {_position(text, start)}"
        if start >= 6 and _HIGH.match(text, start - 6) and _is_escape(text, start - 6):
            continue
        return f"unexpected low surrogate in string: {_position(text, start)}"
    return None


def _find_loc(root: object, pred) -> tuple | None:
    """Path of the first value (document order) matching pred."""
    stack: list[tuple[object, tuple]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if pred(node):
            return loc
        if isinstance(node, dict):
            stack.extend(reversed([(v, (*loc, k)) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(v, (*loc, i)) for i, v in enumerate(node)]))
    return None


def _get(root: object, loc: tuple) -> object:
    for part in loc:
        root = root[part]  # type: ignore[index]
    return root
