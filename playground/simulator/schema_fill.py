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

Bounded work, whatever the schema (a caller's schema must never stall the server): arrays get
at most MAX_ITEMS items, strings at most MAX_STRING characters, objects at most
MAX_PROPERTIES generated keys, and one value as a whole at most MAX_NODES schema nodes
visited and MAX_CHARS characters of strings. Past a cap the value is cut short (and
`Filled.complete` is False): it may then not satisfy the schema, but it is never unbounded.
Such a value is longer than any `max_tokens` lets a model write, so the answer stops with
`max_tokens` the way a real model's would. A caller's `pattern` is never run by a
backtracking engine (pattern.py).

`hints` are words taken from the user's text (capitalised words first): string properties
without a stronger rule use them, so `get_weather` for "weather in Paris" gets "Paris".
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from playground.simulator.pattern import string_for

_MAX_DEPTH = 8
MAX_ITEMS = 256
MAX_STRING = 100_000
MAX_PROPERTIES = 256
MAX_NODES = 20_000
MAX_CHARS = 1_000_000
# $ref paths longer than this are not followed (a real schema's are short).
_MAX_REF = 1_000
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


@dataclass(frozen=True)
class Filled:
    value: object
    # False when a cap cut the value short: it may then not satisfy the schema.
    complete: bool


class _Filler:
    def __init__(self, root: dict, seed: str, hints: Sequence[str]) -> None:
        self.root = root
        self.seed = seed
        self.hints = [h for h in hints if isinstance(h, str) and h][:100]
        self.hint_index = 0
        self.nodes = 0
        self.chars = 0
        self.complete = True

    def _spend(self, nodes: int = 1, chars: int = 0) -> bool:
        """Count work done; False once the budget is gone (nothing more is generated then)."""
        self.nodes += nodes
        self.chars += chars
        if self.nodes > MAX_NODES or self.chars > MAX_CHARS:
            self.complete = False
            return False
        return True

    def _number(self, salt: str) -> int:
        digest = hashlib.sha256(f"{self.seed}:{salt}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    def _resolve(self, schema: object, depth: int) -> dict:
        if not isinstance(schema, dict):
            return {}
        if not self._spend(len(schema)):
            return {}
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
            target = self._lookup(schema["$ref"])
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if not self._spend(len(target) + len(rest)):
                return {}
            schema = {**target, **rest}
            seen += 1
        if isinstance(schema.get("allOf"), list) and depth < _MAX_DEPTH:
            merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self._resolve(part, depth + 1)
                if not self._spend(len(part)):
                    return {}
                for key, value in part.items():
                    if key == "properties" and isinstance(value, dict):
                        known = merged.get("properties")
                        known = known if isinstance(known, dict) else {}
                        if not self._spend(len(value) + len(known)):
                            return {}
                        merged["properties"] = {**known, **value}
                    elif key == "required" and isinstance(value, list):
                        known = merged.get("required")
                        names = [n for n in (known if isinstance(known, list) else []) + value if isinstance(n, str)]
                        if not self._spend(len(names)):
                            return {}
                        merged["required"] = list(dict.fromkeys(names))
                    else:
                        merged.setdefault(key, value)
            schema = merged
        return schema

    def _lookup(self, ref: str) -> dict:
        if not ref.startswith("#") or len(ref) > _MAX_REF:
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
        if not self._spend():
            return None
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
            if isinstance(options, list) and options and depth < _MAX_DEPTH:
                # Prefer a branch that is not just null: a tool input should carry data.
                branches = [self._resolve(o, depth + 1) for o in options[:MAX_ITEMS]]
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
        listed = schema.get("required") if isinstance(schema.get("required"), list) else []
        required = [name for name in listed if isinstance(name, str)]
        wanted = set(required)
        out: dict = {}
        for name, sub in props.items():
            if not self._spend(chars=len(name)):
                break
            # Deep down only what is required, so recursive schemas stay small.
            if depth < _OPTIONAL_DEPTH or name in wanted:
                out[name] = self.value(sub, f"{path}.{name}", depth + 1)
        for name in required:
            if name not in out:
                if not self._spend(chars=len(name)):
                    break
                extra = schema.get("additionalProperties")
                out[name] = self.value(extra if isinstance(extra, dict) else {}, f"{path}.{name}", depth + 1)
        min_props = schema.get("minProperties")
        extra = schema.get("additionalProperties", True)
        n = 1
        while isinstance(min_props, int) and len(out) < min_props and extra is not False:
            if n > MAX_PROPERTIES or not self._spend(0):
                self.complete = False
                break
            out.setdefault(f"key{n}", self.value(extra if isinstance(extra, dict) else {}, f"{path}.key{n}", depth + 1))
            n += 1
        return out

    def _array(self, schema: dict, path: str, depth: int) -> list:
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        min_items = schema.get("minItems", 1)
        min_items = min_items if isinstance(min_items, int) and not isinstance(min_items, bool) else 1
        low = max(min_items, len(prefix))
        high = schema.get("maxItems")
        size = max(low, min(2, high) if isinstance(high, int) else 2)
        if isinstance(high, int):
            size = min(size, high)
        if size > MAX_ITEMS:
            self.complete = False
            size = MAX_ITEMS
        unique = bool(schema.get("uniqueItems"))
        out: list = []
        # Items compared by their canonical JSON: one hash per item, not a scan of the list.
        seen: set[str] = set()
        for i in range(size):
            sub = prefix[i] if i < len(prefix) else items
            item = self.value(sub, f"{path}[{i}]", depth + 1)
            tries = 0
            while unique and _key(item) in seen and tries < 10:
                tries += 1
                item = self.value(sub, f"{path}[{i}]~{tries}", depth + 1)
                if isinstance(item, str) and _key(item) in seen:
                    item = f"{item} {i + 1}"
            if unique:
                if _key(item) in seen:
                    break
                seen.add(_key(item))
            out.append(item)
            if not self._spend(0):
                break
        return out

    def _hint(self) -> str | None:
        if not self.hints:
            return None
        hint = self.hints[self.hint_index % len(self.hints)]
        self.hint_index += 1
        return hint

    def _string(self, schema: dict, path: str) -> str:
        low = schema.get("minLength", 0)
        low = low if isinstance(low, int) and not isinstance(low, bool) else 0
        if low > MAX_STRING:
            self.complete = False
            low = MAX_STRING
        high = schema.get("maxLength")
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        name = path.rsplit(".", 1)[-1].strip("[]0123456789") or "value"
        if isinstance(fmt, str) and fmt in _FORMATS:
            text = _FORMATS[fmt]
        elif isinstance(pattern, str):
            text = string_for(pattern, name, self._hint(), MAX_STRING)
        else:
            text = self._hint() or f"example {name}"
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[: max(high, 0)]
        left = MAX_CHARS - self.chars
        if not self._spend(chars=len(text)):
            text = text[: max(left, 0)]
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


def _key(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def fill_bounded(schema: object, *, seed: str = "", hints: Sequence[str] = ()) -> Filled:
    """A value for `schema` within the caps, and whether it is whole (then it is valid)."""
    root = schema if isinstance(schema, dict) else {}
    filler = _Filler(root, seed, hints)
    value = filler.value(root, "$")
    return Filled(value, filler.complete)


def fill(schema: object, *, seed: str = "", hints: Sequence[str] = ()) -> object:
    """A value valid against `schema` (unless a cap cut it); the same arguments give the same value."""
    return fill_bounded(schema, seed=seed, hints=hints).value
