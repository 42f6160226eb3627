"""A JSON value that satisfies a JSON Schema: the simulator's tool inputs and structured output.

Policy: deterministic (the same schema, seed and hints give the same value) and valid for the
schemas tools use in practice: object/properties/required/additionalProperties, string
(enum, const, format, minLength/maxLength, simple patterns), number/integer (minimum, maximum,
exclusive bounds, multipleOf), boolean, null, array (items, prefixItems, minItems/maxItems,
uniqueItems), `default`, `examples`, `anyOf`/`oneOf` (first branch that works), `allOf`
(merged), local `$ref` (`#/$defs/...`, `#/definitions/...`) and type lists such as
`["string", "null"]`. Every property is filled, required or not, so inputs look complete
(below three levels of nesting only the required ones).
Recursion is cut at a fixed depth so a self-referencing schema still terminates.

`hints` are words taken from the user's text (capitalised words first): string properties
without a stronger rule use them, so `get_weather` for "weather in Paris" gets "Paris".
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

_MAX_DEPTH = 8
_OPTIONAL_DEPTH = 3
_FORMATS = {
    "date": "2026-01-15",
    "date-time": "2026-01-15T09:30:00Z",
    "time": "09:30:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


class _Filler:
    def __init__(self, root: dict, seed: str, hints: Sequence[str]) -> None:
        self.root = root
        self.seed = seed
        self.hints = [h for h in hints if h]
        self.hint_index = 0

    def _number(self, salt: str) -> int:
        digest = hashlib.sha256(f"{self.seed}:{salt}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    def _resolve(self, schema: object, depth: int) -> dict:
        if not isinstance(schema, dict):
            return {}
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
            target = self._lookup(schema["$ref"])
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest}
            seen += 1
        if isinstance(schema.get("allOf"), list):
            merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self._resolve(part, depth + 1)
                for key, value in part.items():
                    if key == "properties" and isinstance(value, dict):
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required" and isinstance(value, list):
                        merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
                    else:
                        merged.setdefault(key, value)
            schema = merged
        return schema

    def _lookup(self, ref: str) -> dict:
        if not ref.startswith("#"):
            return {}
        node: object = self.root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return {}
        return node if isinstance(node, dict) else {}

    def value(self, schema: object, path: str, depth: int = 0) -> object:
        schema = self._resolve(schema, depth)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][self._number(path) % len(schema["enum"])]
        if "default" in schema:
            return schema["default"]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                # Prefer a branch that is not just null: a tool input should carry data.
                branches = [self._resolve(o, depth + 1) for o in options]
                chosen = next((b for b in branches if b.get("type") != "null"), branches[0])
                base = {k: v for k, v in schema.items() if k != key}
                return self.value({**base, **chosen}, path, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or kind
            kind = kinds[0] if kinds else None
        if kind is None:
            if "properties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
            else:
                kind = "string"
        if depth >= _MAX_DEPTH:
            return {"object": {}, "array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(kind)
        if kind == "object":
            return self._object(schema, path, depth)
        if kind == "array":
            return self._array(schema, path, depth)
        if kind == "string":
            return self._string(schema, path)
        if kind == "integer":
            return self._integer(schema, path)
        if kind == "number":
            return self._float(schema, path)
        if kind == "boolean":
            return self._number(path) % 2 == 0
        return None

    def _object(self, schema: dict, path: str, depth: int) -> dict:
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        out: dict = {}
        required = set(schema.get("required") or ())
        for name, sub in props.items():
            # Deep down only what is required, so recursive schemas stay small.
            if depth < _OPTIONAL_DEPTH or name in required:
                out[name] = self.value(sub, f"{path}.{name}", depth + 1)
        for name in schema.get("required") or ():
            if isinstance(name, str) and name not in out:
                extra = schema.get("additionalProperties")
                out[name] = self.value(extra if isinstance(extra, dict) else {}, f"{path}.{name}", depth + 1)
        min_props = schema.get("minProperties")
        extra = schema.get("additionalProperties", True)
        n = 1
        while isinstance(min_props, int) and len(out) < min_props and extra is not False and n < 100:
            out.setdefault(f"key{n}", self.value(extra if isinstance(extra, dict) else {}, f"{path}.key{n}", depth + 1))
            n += 1
        return out

    def _array(self, schema: dict, path: str, depth: int) -> list:
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        low = max(int(schema.get("minItems", 1) or 0), len(prefix))
        high = schema.get("maxItems")
        size = max(low, min(2, high) if isinstance(high, int) else 2)
        if isinstance(high, int):
            size = min(size, high)
        unique = bool(schema.get("uniqueItems"))
        out: list = []
        for i in range(size):
            sub = prefix[i] if i < len(prefix) else items
            item = self.value(sub, f"{path}[{i}]", depth + 1)
            tries = 0
            while unique and item in out and tries < 10:
                tries += 1
                item = self.value(sub, f"{path}[{i}]~{tries}", depth + 1)
                if isinstance(item, str) and item in out:
                    item = f"{item} {i + 1}"
            if unique and item in out:
                break
            out.append(item)
        return out

    def _hint(self) -> str | None:
        if not self.hints:
            return None
        hint = self.hints[self.hint_index % len(self.hints)]
        self.hint_index += 1
        return hint

    def _string(self, schema: dict, path: str) -> str:
        low = int(schema.get("minLength", 0) or 0)
        high = schema.get("maxLength")
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        name = path.rsplit(".", 1)[-1].strip("[]0123456789") or "value"
        if isinstance(fmt, str) and fmt in _FORMATS:
            text = _FORMATS[fmt]
        elif isinstance(pattern, str):
            text = _from_pattern(pattern, name, self._hint())
        else:
            text = self._hint() or f"example {name}"
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def _bounds(self, schema: dict) -> tuple[float | None, float | None]:
        low = schema.get("minimum")
        high = schema.get("maximum")
        ex_low = schema.get("exclusiveMinimum")
        ex_high = schema.get("exclusiveMaximum")
        # Draft 4 spells exclusivity as booleans next to minimum/maximum.
        if ex_low is True and isinstance(low, int | float):
            ex_low, low = low, None
        if ex_high is True and isinstance(high, int | float):
            ex_high, high = high, None
        lows = [v for v in (low,) if isinstance(v, int | float) and not isinstance(v, bool)]
        highs = [v for v in (high,) if isinstance(v, int | float) and not isinstance(v, bool)]
        lo = max(lows) if lows else None
        hi = min(highs) if highs else None
        if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
            lo = max(lo, ex_low + 1e-9) if lo is not None else ex_low + 1e-9
        if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
            hi = min(hi, ex_high - 1e-9) if hi is not None else ex_high - 1e-9
        return lo, hi

    def _integer(self, schema: dict, path: str) -> int:
        lo, hi = self._bounds(schema)
        ilo = math.ceil(lo) if lo is not None else None
        ihi = math.floor(hi) if hi is not None else None
        step = schema.get("multipleOf")
        step = int(step) if isinstance(step, int | float) and step >= 1 and float(step).is_integer() else 1
        start = ilo if ilo is not None else (ihi - 10 if ihi is not None and ihi < 1 else 1)
        span = (ihi - start) if ihi is not None else 41
        value = start + (self._number(path) % (span + 1) if span >= 0 else 0)
        if step > 1:
            value = math.ceil(value / step) * step
            if ihi is not None and value > ihi:
                value -= step
        return int(value)

    def _float(self, schema: dict, path: str) -> float | int:
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0 and float(step).is_integer():
            return self._integer(schema, path)
        lo, hi = self._bounds(schema)
        if lo is None and hi is None:
            return round(1 + (self._number(path) % 1000) / 10, 1)
        if lo is None:
            lo = hi - 10
        if hi is None:
            hi = lo + 10
        fraction = (self._number(path) % 997) / 997
        value = round(lo + (hi - lo) * fraction, 2)
        if value < lo or value > hi:
            value = (lo + hi) / 2
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            value = math.ceil(lo / step) * step if lo is not None else 0
        return value


def _from_pattern(pattern: str, name: str, hint: str | None) -> str:
    """A string for `pattern`: a few candidates tried against it, else a simple rendering."""
    candidates = [c for c in (hint, f"example-{name}", name, "abc", "ABC", "123", "a1", "A") if c]
    for candidate in candidates:
        try:
            if re.search(pattern, candidate):
                return candidate
        except re.error:
            return candidate
    return _render_pattern(pattern)


def _render_pattern(pattern: str) -> str:
    """Walk a simple regex (literals, classes, \\d\\w, quantifiers) and emit one match."""
    out: list[str] = []
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
                repeat = int(spec) if spec.isdigit() else 1
                i = end + 1 if end > 0 else len(body)
        out.append(unit * max(repeat, 1))
    return "".join(out)


def fill(schema: object, *, seed: str = "", hints: Sequence[str] = ()) -> object:
    """A value valid against `schema`; the same arguments always give the same value."""
    root = schema if isinstance(schema, dict) else {}
    return _Filler(root, seed, hints).value(root, "$")
