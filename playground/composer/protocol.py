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

from playground.composer.loops import MAX_STEPS_LIMIT
from playground.composer.mocks import MockError, check_mock

RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME = 200
MAX_HEADERS = 32
MAX_MOCKS = 128

ACTION_KEYS = {
    "run": ({"action", "run_id", "request"}, {"provider", "headers", "thread"}),
    "stop": ({"action", "run_id"}, set()),
    "autorun": ({"action", "run_id", "request", "mocks"}, {"provider", "headers", "thread", "max_steps"}),
    "compare": ({"action", "run_id", "request", "targets"}, {"headers", "provider", "thread"}),
}


class ProtocolError(ValueError):
    def __init__(self, message: str, run_id: str | None = None):
        super().__init__(message)
        self.run_id = run_id


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
        targets = content["targets"]
        if not isinstance(targets, list) or not 2 <= len(targets) <= 4:
            raise ProtocolError("compare needs 2 to 4 targets", run_id)
        checked = []
        for target in targets:
            if not isinstance(target, dict) or set(target) - {"model", "provider"}:
                raise ProtocolError("a target is {model, provider}", run_id)
            model = target.get("model")
            if not isinstance(model, str) or not model or len(model) > MAX_NAME:
                raise ProtocolError("a target needs a model", run_id)
            checked.append({"model": model, "provider": _opt_str(target, "provider", run_id)})
        msg["targets"] = checked
    return msg
