"""Tool loops: the next request after a `tool_use` answer, and the mock-driven auto-run.

Policy (MESSAGES_API.md §4.5, §5.3): the assistant turn is appended exactly as returned
(thinking with its signature first, every block unchanged, nothing re-ordered), followed by one
user turn holding a `tool_result` for every `tool_use` id, in the order the model called them.
`next_turns` is pure and serves both the auto-run here and the page's "Continue". The auto-run
stops at `end_turn` (any stop_reason other than `tool_use`), at `max_steps`, at an error, or at
the first tool that has no mock (it reports which tools need an answer).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.composer.mocks import render_mock

MAX_STEPS_LIMIT = 50


def tool_uses(message: dict | None) -> list[dict]:
    """The client `tool_use` blocks of an assistant message, in order."""
    content = (message or {}).get("content") or []
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]


def next_turns(request: dict, message: dict, results: Mapping[str, Any]) -> dict:
    """`request` continued by the assistant `message` and a user turn answering its tool calls.

    `results` maps each tool_use id to its result: a string (the tool_result content), or a dict
    with `content` (string or content blocks) and optional `is_error`. A missing id is a
    ValueError naming it, since the API rejects an unanswered tool_use.
    """
    calls = tool_uses(message)
    missing = [c.get("id") for c in calls if c.get("id") not in results]
    if missing:
        raise ValueError(f"no result for tool_use ids: {', '.join(map(str, missing))}")
    blocks = []
    for call in calls:
        result = results[call["id"]]
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call["id"]}
        if isinstance(result, dict):
            block["content"] = copy.deepcopy(result.get("content", ""))
            if result.get("is_error"):
                block["is_error"] = True
        else:
            block["content"] = result
        blocks.append(block)
    out = copy.deepcopy(request)
    messages = list(out.get("messages") or [])
    messages.append({"role": "assistant", "content": copy.deepcopy(message.get("content") or [])})
    if blocks:
        messages.append({"role": "user", "content": blocks})
    out["messages"] = messages
    return out


def mock_results(message: dict, mocks: Mapping[str, dict]) -> tuple[dict[str, Any], list[str]]:
    """Results for every tool call that has a mock, and the names of the tools that have none."""
    results: dict[str, Any] = {}
    missing: list[str] = []
    for call in tool_uses(message):
        mock = mocks.get(call.get("name"))
        if mock is None:
            if call.get("name") not in missing:
                missing.append(call.get("name"))
            continue
        content = render_mock(mock, call.get("input"))
        results[call["id"]] = {"content": content, "is_error": bool(mock.get("is_error"))}
    return results, missing


@dataclass
class LoopOutcome:
    reason: str  # end_turn | max_steps | error | missing_mock | cancelled
    steps: int
    request: dict
    missing_tools: list[str] = field(default_factory=list)
    results: list = field(default_factory=list)


async def autorun(
    request: dict,
    mocks: Mapping[str, dict],
    max_steps: int,
    run_step: Callable[[int, dict], Awaitable[Any]],
    is_cancelled: Callable[[], bool] = lambda: False,
) -> LoopOutcome:
    """Run `request` step by step, answering tool calls from `mocks`.

    `run_step(step, request)` sends one request (1-based step) and returns a RunResult.
    The returned outcome's `request` is the whole conversation so far, ending with the last
    assistant turn (and its mock answers, when the loop stopped at max_steps).
    """
    current = request
    results = []
    for step in range(1, max_steps + 1):
        result = await run_step(step, current)
        results.append(result)
        if result.outcome == "client_cancelled" or is_cancelled():
            return LoopOutcome("cancelled", step, _with_reply(current, result.message), results=results)
        if result.outcome != "completed" or result.message is None:
            return LoopOutcome("error", step, _with_reply(current, result.message), results=results)
        if result.stop_reason != "tool_use" or not tool_uses(result.message):
            return LoopOutcome("end_turn", step, _with_reply(current, result.message), results=results)
        answers, missing = mock_results(result.message, mocks)
        if missing:
            return LoopOutcome(
                "missing_mock", step, _with_reply(current, result.message), missing, results
            )
        current = next_turns(current, result.message, answers)
    return LoopOutcome("max_steps", max_steps, current, results=results)


def _with_reply(request: dict, message: dict | None) -> dict:
    """The conversation with the assistant's last turn appended (when there is one)."""
    if not message or not message.get("content"):
        return request
    out = copy.deepcopy(request)
    out["messages"] = [
        *(out.get("messages") or []),
        {"role": "assistant", "content": copy.deepcopy(message["content"])},
    ]
    return out
