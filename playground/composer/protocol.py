"""The run socket's client messages, checked before anything acts on them.

Policy: the browser is never trusted. Every message is a JSON object with an `action` and only
the keys that action knows, each of the expected type and within bounds; anything else is a
ProtocolError whose message goes back to the page in a `run.rejected` frame. The Messages body
itself is only checked for shape (an object with a string model): the contract validator and
the API judge the rest, because the page may send a request the validator rejects on purpose.
"""

from __future__ import annotations

import re
from typing import Any

from playground.composer.compare import OverrideError, check_targets
from playground.composer.loops import MAX_STEPS_LIMIT
from playground.composer.mocks import MockError, check_mock

RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME = 200
MAX_HEADERS = 32
MAX_MOCKS = 128
MAX_GRID_ROWS = 50
MAX_VALUES = 500
# Every run may name the working copy it comes from (`copy`) and the value set that fills
# its `{{name}}` placeholders (`variables`: {"set": name, "values": {name: text}}).
ORIGIN = {"copy", "variables"}

ACTION_KEYS = {
    "run": ({"action", "run_id", "request"}, {"provider", "headers", "thread", *ORIGIN}),
    "stop": ({"action", "run_id"}, set()),
    "autorun": ({"action", "run_id", "request", "mocks"}, {"provider", "headers", "thread", "max_steps", *ORIGIN}),
    "compare": ({"action", "run_id", "request", "targets"}, {"headers", "provider", "thread", *ORIGIN}),
    "grid": ({"action", "run_id", "request", "sets"}, {"headers", "provider", "thread", "copy"}),
}


class ProtocolError(ValueError):
    def __init__(self, message: str, run_id: str | None = None, *, column: int | None = None):
        super().__init__(message)
        self.run_id = run_id
        self.column = column  # the compare column a bad target or override belongs to


def _opt_str(content: dict, key: str, run_id: str) -> str | None:
    value = content.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise ProtocolError(f"{key} must be a string of at most {MAX_NAME} characters or null", run_id)
    return value or None


def _headers(value: Any, run_id: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_HEADERS:
        raise ProtocolError("headers must be an object of at most 32 names", run_id)
    for name, item in value.items():
        if not isinstance(item, str):
            raise ProtocolError(f"header {name!r} must be a string", run_id)
    return value


def _request(value: Any, run_id: str) -> dict:
    if not isinstance(value, dict):
        raise ProtocolError("request must be a JSON object (a Messages request body)", run_id)
    return value


def _values(value: Any, where: str, run_id: str) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_VALUES:
        raise ProtocolError(f"{where} must map at most {MAX_VALUES} variable names to strings", run_id)
    for name, text in value.items():
        if not isinstance(text, str):
            raise ProtocolError(f"{where}: the value of {name[:60]!r} must be a string", run_id)
    return value


def _variables(value: Any, run_id: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"set", "values"}:
        raise ProtocolError('variables must be {"set": name, "values": {...}}', run_id)
    name = value["set"]
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        raise ProtocolError(f"variables.set must be a name of at most {MAX_NAME} characters", run_id)
    return {"set": name, "values": _values(value["values"], "variables.values", run_id)}


def _sets(value: Any, run_id: str) -> list[dict]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_GRID_ROWS:
        raise ProtocolError(f"sets must be a list of 1 to {MAX_GRID_ROWS} value sets", run_id)
    checked = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"name", "values"}:
            raise ProtocolError('a value set is {"name", "values"}', run_id)
        name = item["name"]
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise ProtocolError("a value set needs a name", run_id)
        checked.append({"name": name, "values": _values(item["values"], f"sets[{name[:60]!r}]", run_id)})
    return checked


def parse_message(content: Any) -> dict:
    """The checked message, or ProtocolError."""
    if not isinstance(content, dict):
        raise ProtocolError("a message must be a JSON object")
    action = content.get("action")
    if action not in ACTION_KEYS:
        raise ProtocolError(f"unknown action: {str(action)[:40]}")
    raw_id = content.get("run_id")
    run_id = raw_id if isinstance(raw_id, str) and RUN_ID.match(raw_id) else None
    if run_id is None:
        raise ProtocolError("run_id must be 1-64 letters, digits, '-' or '_'")
    required, optional = ACTION_KEYS[action]
    unknown = set(content) - required - optional
    if unknown:
        raise ProtocolError(f"unknown key: {sorted(unknown)[0][:40]}", run_id)
    missing = required - set(content)
    if missing:
        raise ProtocolError(f"missing key: {sorted(missing)[0]}", run_id)
    msg: dict[str, Any] = {"action": action, "run_id": run_id}
    if action == "stop":
        return msg
    msg["request"] = _request(content["request"], run_id)
    msg["provider"] = _opt_str(content, "provider", run_id)
    msg["headers"] = _headers(content.get("headers"), run_id)
    msg["thread"] = _opt_str(content, "thread", run_id)
    copy_id = _opt_str(content, "copy", run_id)
    if copy_id is not None and not RUN_ID.match(copy_id):
        raise ProtocolError("copy must be a working copy's id", run_id)
    msg["copy"] = copy_id
    msg["variables"] = _variables(content.get("variables"), run_id)
    if action == "grid":
        msg["sets"] = _sets(content["sets"], run_id)
    if action == "autorun":
        mocks = content["mocks"]
        if not isinstance(mocks, dict) or len(mocks) > MAX_MOCKS:
            raise ProtocolError("mocks must be an object of tool name to mock", run_id)
        for name, mock in mocks.items():
            try:
                check_mock(mock)
            except MockError as exc:
                raise ProtocolError(f"mock for {name[:60]!r}: {exc}", run_id) from exc
        msg["mocks"] = mocks
        steps = content.get("max_steps", 10)
        if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS_LIMIT:
            raise ProtocolError(f"max_steps must be an integer from 1 to {MAX_STEPS_LIMIT}", run_id)
        msg["max_steps"] = steps
    if action == "compare":
        try:
            msg["targets"] = check_targets(content["targets"], msg["request"])
        except OverrideError as exc:
            raise ProtocolError(str(exc), run_id, column=exc.column) from exc
    return msg
