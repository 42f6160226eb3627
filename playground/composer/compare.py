"""Compare columns: one request, 2 to 4 columns, each with its own model and parameters.

A compare target is `{"model", "provider", "overrides"?}`. `overrides` holds only what the
column changes; a key that is absent keeps the request's own value:

* `temperature`: a number from 0 to 1, or null (not sent).
* `thinking`: `{"type": "enabled", "budget_tokens": N}` (N >= 1024), `{"type": "adaptive"}`,
  `{"type": "disabled"}`, or null (off: no `thinking` field).
* `system`: the column's system prompt (a string; empty or null sends none).
* `tools`: the names of the request's tools this column keeps, in any order (the request's
  order is kept). An empty list sends no tools, and then no `tool_choice` either (the API
  rejects a `tool_choice` without tools).

Policy: the overrides are checked here (shape and bounds, and that each named tool is in
the request) and applied on the server, before the run; a bad one is an OverrideError
naming its column and field, which the run socket answers with a `run.rejected` frame and
`POST /compare` with a 400. Whether the resulting request is one the API accepts is the
contract validator's call, shown as findings per column: like Run, a column the validator
rejects can still be sent.
"""

from __future__ import annotations

import math
from typing import Any

OVERRIDE_KEYS = ("temperature", "thinking", "system", "tools")
MIN_BUDGET = 1024
MAX_BUDGET = 1_000_000
MAX_SYSTEM_CHARS = 200_000
MAX_TOOLS = 128
MIN_COLUMNS, MAX_COLUMNS = 2, 4
MAX_NAME = 200


class OverrideError(ValueError):
    def __init__(self, message: str, column: int | None = None):
        super().__init__(message if column is None else f"column {column + 1}: {message}")
        self.column = column


def _temperature(value: Any, column: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 1:
        raise OverrideError("temperature must be a number from 0 to 1, or null to send none", column)
    return value


def _thinking(value: Any, column: int) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OverrideError('thinking must be {"type": "enabled", "budget_tokens": N}, {"type": "adaptive"}, '
                            '{"type": "disabled"} or null', column)
    kind = value.get("type")
    if kind == "enabled":
        if set(value) != {"type", "budget_tokens"}:
            raise OverrideError('thinking "enabled" takes exactly type and budget_tokens', column)
        budget = value["budget_tokens"]
        if isinstance(budget, bool) or not isinstance(budget, int) or not MIN_BUDGET <= budget <= MAX_BUDGET:
            raise OverrideError(f"thinking.budget_tokens must be a whole number from {MIN_BUDGET} to {MAX_BUDGET}", column)
        return {"type": "enabled", "budget_tokens": budget}
    if kind in ("adaptive", "disabled"):
        if set(value) != {"type"}:
            raise OverrideError(f'thinking "{kind}" takes only its type', column)
        return {"type": kind}
    raise OverrideError("thinking.type must be enabled, adaptive or disabled (null turns thinking off)", column)


def _system(value: Any, column: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_SYSTEM_CHARS:
        raise OverrideError(f"system must be a string of at most {MAX_SYSTEM_CHARS} characters, or null", column)
    return value or None


def tool_names(request: dict) -> list[str]:
    tools = request.get("tools")
    if not isinstance(tools, list):
        return []
    return [t["name"] for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str)]


def _tools(value: Any, request: dict, column: int) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_TOOLS or not all(isinstance(n, str) for n in value):
        raise OverrideError("tools must be a list of the names of the request's tools", column)
    if len(set(value)) != len(value):
        raise OverrideError("tools names a tool twice", column)
    known = set(tool_names(request))
    for name in value:
        if name not in known:
            raise OverrideError(f"tools: the request has no tool named {name[:60]!r}", column)
    return value


def check_overrides(value: Any, request: dict, column: int) -> dict:
    """The column's overrides, checked (OverrideError naming the column and field)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OverrideError("overrides must be an object", column)
    unknown = set(value) - set(OVERRIDE_KEYS)
    if unknown:
        raise OverrideError(f"overrides: unknown key {sorted(unknown)[0][:40]!r} "
                            f"(a column can change {', '.join(OVERRIDE_KEYS)})", column)
    checked: dict[str, Any] = {}
    if "temperature" in value:
        checked["temperature"] = _temperature(value["temperature"], column)
    if "thinking" in value:
        checked["thinking"] = _thinking(value["thinking"], column)
    if "system" in value:
        checked["system"] = _system(value["system"], column)
    if "tools" in value:
        checked["tools"] = _tools(value["tools"], request, column)
    return checked


def check_targets(targets: Any, request: dict) -> list[dict]:
    """[{"model", "provider", "overrides"}] checked, or OverrideError."""
    if not isinstance(targets, list) or not MIN_COLUMNS <= len(targets) <= MAX_COLUMNS:
        raise OverrideError(f"compare needs {MIN_COLUMNS} to {MAX_COLUMNS} targets")
    checked = []
    for column, target in enumerate(targets):
        if not isinstance(target, dict) or set(target) - {"model", "provider", "overrides"}:
            raise OverrideError("a target is {model, provider, overrides}", column)
        model = target.get("model")
        if not isinstance(model, str) or not model or len(model) > MAX_NAME:
            raise OverrideError("a target needs a model", column)
        provider = target.get("provider")
        if provider is not None and (not isinstance(provider, str) or len(provider) > MAX_NAME):
            raise OverrideError(f"provider must be a string of at most {MAX_NAME} characters or null", column)
        overrides = check_overrides(target.get("overrides"), request, column)
        checked.append({"model": model, "provider": provider or None, "overrides": overrides})
    return checked


def _set_or_drop(body: dict, key: str, value: Any) -> None:
    if value is None:
        body.pop(key, None)
    else:
        body[key] = value


def column_request(request: dict, target: dict) -> dict:
    """The request one column sends: the target's model and its checked overrides applied."""
    body = {**request, "model": target["model"]}
    overrides = target.get("overrides") or {}
    for key in ("temperature", "thinking", "system"):
        if key in overrides:
            _set_or_drop(body, key, overrides[key])
    if "tools" in overrides:
        keep = set(overrides["tools"])
        tools = [t for t in request.get("tools") or [] if isinstance(t, dict) and t.get("name") in keep]
        if tools:
            body["tools"] = tools
        else:
            body.pop("tools", None)
            body.pop("tool_choice", None)
    return body
