"""A string for a JSON Schema `pattern`, in time linear in the pattern and the string.

A caller's pattern is never run by Python's backtracking `re`: a pattern like `(a+)+$` takes
time exponential in the text it is tried on, and one such request would hold the event loop
that serves every team. Candidates are checked with RE2 (`google-re2`), whose matching is
linear; a pattern RE2 refuses (backreferences, lookarounds, a repetition over 1000) or that
would need more than its memory cap is never run at all, and the string comes from a
bounded rendering of the pattern (literals, classes, `\\d\\w\\s`, quantifiers at their
minimum, `{n}` capped), which may then not match it.
"""

from __future__ import annotations

import re2

# Patterns longer than this are only rendered, never compiled (a real schema's are short).
_MAX_PATTERN = 1_000
# A rendered pattern repeats one unit at most this often ({n} above it is capped).
_MAX_REPEAT = 1_000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 8 << 20


def _compiled(pattern: str) -> re2._Regexp | None:
    """`pattern` compiled by RE2 (linear-time matching), or None when RE2 refuses it."""
    if len(pattern) > _MAX_PATTERN:
        return None
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except (re2.error, TypeError, ValueError):
        return None


def string_for(pattern: str, name: str, hint: str | None, limit: int) -> str:
    """A string for `pattern`: a few candidates tried against it, else a simple rendering."""
    regex = _compiled(pattern)
    if regex is None:
        return _render_pattern(pattern[:_MAX_PATTERN], limit)
    candidates = [c for c in (hint, f"example-{name}", name, "abc", "ABC", "123", "a1", "A") if c]
    for candidate in candidates:
        if len(candidate) <= limit and regex.search(candidate):
            return candidate
    return _render_pattern(pattern, limit)


def _render_pattern(pattern: str, limit: int) -> str:
    """Walk a simple regex (literals, classes, \\d\\w, quantifiers) and emit one match."""
    out: list[str] = []
    size = 0
    body = pattern.removeprefix("^").removesuffix("$")
    i = 0
    while i < len(body):
        ch = body[i]
        unit = ""
        if ch == "\\" and i + 1 < len(body):
            unit = {"d": "1", "w": "a", "s": " "}.get(body[i + 1], body[i + 1])
            i += 2
        elif ch == "[":
            end = body.find("]", i)
            cls = body[i + 1 : end] if end > 0 else ""
            unit = "a" if "a-z" in cls else "A" if "A-Z" in cls else "1" if "0-9" in cls else (cls[:1] or "a")
            i = end + 1 if end > 0 else len(body)
        elif ch in "()|^$":
            i += 1
            continue
        else:
            unit = ch
            i += 1
        repeat = 1
        if i < len(body) and body[i] in "*+?{":
            if body[i] == "+" or body[i] in "*?":
                repeat, i = 1, i + 1
            else:
                end = body.find("}", i)
                spec = body[i + 1 : end].split(",")[0] if end > 0 else "1"
                repeat = min(int(spec), _MAX_REPEAT) if spec.isascii() and spec.isdigit() else 1
                i = end + 1 if end > 0 else len(body)
        out.append(unit * max(repeat, 1))
        size += len(out[-1])
        if size > limit:
            break
    return "".join(out)[:limit]
