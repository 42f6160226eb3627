"""The shape of a saved request's state, its checks, and what the library search copies.

A state is exactly what the composer saves, plus what the library adds (`notes`,
`variables`)::

    {
      "request":   {...},             # the Messages request body being composed
      "provider":  "simulator" | null, # a provider by name; credentials never travel
      "headers":   {"anthropic-version": "2023-06-01", ...},
      "mocks":     {"tool_name": ...}, # the composer's tool mocks
      "notes":     "free text",
      "variables": {"sets": [{"name": "default", "values": {"city": "Paris"}}],
                    "active": "default"}
    }

Missing keys get their empty value. Headers that carry credentials are dropped, as the
composer's drafts drop them. A state is at most MAX_STATE_BYTES as JSON and its request at
most the proxy's body limit (settings.MAX_REQUEST_BYTES). Every problem is reported with
its JSON path (`StateError.problems`), so an import can list them all at once.
"""

from __future__ import annotations

import json

from django.conf import settings

from playground.composer.drafts import SECRET_HEADERS
from playground.recording.analyze import safe_text

STATE_KEYS = ("request", "provider", "headers", "mocks", "notes", "variables")
# The request may be as large as the proxy accepts; notes, mocks and value sets come on top.
MAX_STATE_BYTES = 40 * 1024 * 1024
MAX_VALUE_SETS = 200
SEARCH_CAP = 4000


class StateError(ValueError):
    """The state cannot be saved; `problems` lists (JSON path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def empty_state() -> dict:
    return {
        "request": {},
        "provider": None,
        "headers": {},
        "mocks": {},
        "notes": "",
        "variables": {"sets": [], "active": None},
    }


def _check_variables(value: object, path: str, problems: list) -> dict:
    if value is None:
        return {"sets": [], "active": None}
    first_problem = len(problems)
    if not isinstance(value, dict):
        problems.append((path, "must be an object with `sets` and `active`"))
        return {"sets": [], "active": None}
    unknown = sorted(set(value) - {"sets", "active"})
    if unknown:
        problems.append((path, f"unknown keys: {', '.join(unknown)}"))
    sets = value.get("sets", [])
    if not isinstance(sets, list):
        problems.append((f"{path}.sets", "must be a list of value sets"))
        sets = []
    if len(sets) > MAX_VALUE_SETS:
        problems.append((f"{path}.sets", f"at most {MAX_VALUE_SETS} value sets"))
    names: set[str] = set()
    for i, item in enumerate(sets):
        here = f"{path}.sets[{i}]"
        if not isinstance(item, dict):
            problems.append((here, "must be an object with `name` and `values`"))
            continue
        extra = sorted(set(item) - {"name", "values"})
        if extra:
            problems.append((here, f"unknown keys: {', '.join(extra)}"))
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append((f"{here}.name", "must be a non-empty string"))
        elif name in names:
            problems.append((f"{here}.name", f"duplicate value set name {name!r}"))
        else:
            names.add(name)
        values = item.get("values", {})
        if not isinstance(values, dict):
            problems.append((f"{here}.values", "must map variable names to strings"))
            continue
        for key, text in values.items():
            if not isinstance(text, str):
                problems.append((f"{here}.values.{key}", "must be a string"))
    active = value.get("active")
    if active is not None and not isinstance(active, str):
        problems.append((f"{path}.active", "must be a value set name or null"))
    elif active is not None and active not in names and len(problems) == first_problem:
        problems.append((f"{path}.active", f"no value set named {active!r}"))
    return {"sets": sets, "active": active}


def check_state(state: object, path: str = "state") -> tuple[dict, list[tuple[str, str]]]:
    """The storable form of `state` and every problem found (empty when it can be saved)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(state, dict):
        return empty_state(), [(path, "must be a JSON object")]
    unknown = sorted(set(state) - set(STATE_KEYS))
    if unknown:
        problems.append((path, f"unknown keys: {', '.join(unknown)}"))
    cleaned = empty_state()
    request = state.get("request", {})
    if isinstance(request, dict):
        cleaned["request"] = request
    else:
        problems.append((f"{path}.request", "must be a JSON object"))
    provider = state.get("provider")
    if provider is None or isinstance(provider, str):
        cleaned["provider"] = provider
    else:
        problems.append((f"{path}.provider", "must be a provider name or null"))
    headers = state.get("headers", {})
    if isinstance(headers, dict):
        for name, value in headers.items():
            if not isinstance(value, str):
                problems.append((f"{path}.headers.{name}", "must be a string"))
        cleaned["headers"] = {
            k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS
        }
    else:
        problems.append((f"{path}.headers", "must map header names to strings"))
    mocks = state.get("mocks", {})
    if isinstance(mocks, dict):
        cleaned["mocks"] = mocks
    else:
        problems.append((f"{path}.mocks", "must be a JSON object"))
    notes = state.get("notes", "")
    if isinstance(notes, str):
        cleaned["notes"] = notes
    else:
        problems.append((f"{path}.notes", "must be a string"))
    cleaned["variables"] = _check_variables(state.get("variables"), f"{path}.variables", problems)
    return cleaned, problems


def dumps(value: object) -> str:
    """JSON text that any database stores exactly: non-ASCII kept as is, unless the value
    holds an unpaired surrogate, which only an ASCII escape can carry."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if text.isascii():  # far cheaper than encoding to look (a 5 MB save has a budget)
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, separators=(",", ":"))
    return text


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def serialize_state(state: object) -> tuple[dict, str]:
    """(cleaned state, its JSON text), or StateError listing every problem."""
    cleaned, problems = check_state(state)
    if problems:
        raise StateError(problems)
    # The request is serialized once and measured on its own: a save of a 5 MB request
    # has a 200 ms budget (bench/bench_library.py), and encoding is most of it.
    request_text = dumps(cleaned["request"])
    request_size = _utf8_size(request_text)
    if request_size > settings.MAX_REQUEST_BYTES:
        raise StateError([(
            "state.request",
            f"is {request_size} bytes, more than the {settings.MAX_REQUEST_BYTES} a request may be",
        )])
    rest = dumps({k: v for k, v in cleaned.items() if k != "request"})
    # One join, one copy: chained `+` would copy the whole text once per `+`.
    text = "".join(('{"request":', request_text, ",", rest[1:]))
    size = request_size + _utf8_size(rest) + 11
    if size > MAX_STATE_BYTES:
        raise StateError([("state", f"is {size} bytes, more than the {MAX_STATE_BYTES} allowed")])
    return cleaned, text


def request_tool_names(request: dict) -> list[str]:
    """Names of the tools the request declares and the tools its turns call, in order."""
    names: list[str] = []
    tools = request.get("tools")
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict) and isinstance(tool.get("name"), str):
            names.append(tool["name"])
    messages = request.get("messages")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                name = block.get("name")
                if isinstance(name, str):
                    names.append(name)
    return [safe_text(n)[:200] for n in dict.fromkeys(names) if n]


def _block_text(block: object, cap: int) -> str:
    if isinstance(block, str):
        return block[:cap]
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "text" and isinstance(block.get("text"), str):
        return block["text"][:cap]
    if kind == "tool_use":
        return f"{block.get('name', '')} {json.dumps(block.get('input'), ensure_ascii=False)[:cap]}"
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            return " ".join(_block_text(b, cap) for b in content)[:cap]
        return content[:cap] if isinstance(content, str) else ""
    return ""


def _request_text(request: dict, cap: int) -> str:
    """The request's text for the search: the newest turns first, then the system prompt.
    Each piece is cut before it is tidied, so a 5 MB text block costs what 4 KB does."""
    pieces: list[str] = []
    messages = request.get("messages") if isinstance(request.get("messages"), list) else []
    for message in reversed(messages):
        content = message.get("content") if isinstance(message, dict) else None
        blocks = [content] if isinstance(content, str) else content if isinstance(content, list) else []
        pieces += [_block_text(b, cap) for b in blocks]
    system = request.get("system")
    pieces += [_block_text(b, cap) for b in ([system] if isinstance(system, str) else system or [])]
    out: list[str] = []
    size = 0
    for piece in pieces:
        piece = " ".join(piece.split())
        if piece:
            out.append(piece)
            size += len(piece) + 1
            if size >= cap:
                break
    return safe_text("\n".join(out)[:cap])


def search_fields(state: dict, name: str, description: str, tags: list[str]) -> dict:
    """What the saved request copies from its latest version for the library search."""
    request = state.get("request") if isinstance(state.get("request"), dict) else {}
    model = request.get("model")
    model = safe_text(model)[:200] if isinstance(model, str) else ""
    tools = request_tool_names(request)
    descriptions = [
        t.get("description", "")
        for t in (request.get("tools") if isinstance(request.get("tools"), list) else [])
        if isinstance(t, dict) and isinstance(t.get("description"), str)
    ]
    head = " ".join([name, description, " ".join(tags), model, " ".join(tools), *descriptions])
    text = safe_text(" ".join(head.split()))[:SEARCH_CAP]
    rest = SEARCH_CAP - len(text) - 1
    if rest > 0:
        body_text = _request_text(request, rest)
        if body_text:
            text = f"{text}\n{body_text}"
    provider = state.get("provider")
    return {
        "model": model,
        "provider": safe_text(provider)[:100] if isinstance(provider, str) else "",
        "tool_names": f" {' '.join(n.replace(' ', '_') for n in tools)} " if tools else "",
        "search_text": text,
        "tools": tools,
    }
