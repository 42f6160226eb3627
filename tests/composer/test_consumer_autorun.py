"""Auto-run: a tool loop driven by mocks until end_turn, every step a recorded exchange of one thread."""

from __future__ import annotations

import json

import pytest

from tests.composer.support import recorded, run_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]

WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def loop_request() -> dict:
    return {
        "model": "sim-1",
        "max_tokens": 512,
        "tools": [WEATHER],
        "messages": [{"role": "user", "content": "Use get_weather for Lisbon, please."}],
    }


def loop_done(frame: dict) -> bool:
    return frame["type"] == "loop.step" and frame.get("final") is True


async def test_it_runs_a_tool_loop_to_end_turn_with_mocks(alice):
    mock = {"type": "template", "template": '{"city": "{{input.city}}", "temp_c": 19}'}
    frames = await run_once(
        alice,
        {"action": "autorun", "run_id": "loop-1", "request": loop_request(),
         "mocks": {"get_weather": mock}, "max_steps": 5},
        until=loop_done,
        timeout=20,
    )

    steps = [f for f in frames if f["type"] == "loop.step" and not f.get("final")]
    results = [f for f in frames if f["type"] == "run.finished"]
    assert [f["step"] for f in steps] == [1, 2]
    assert [r["step"] for r in results] == [1, 2]
    assert results[0]["stop_reason"] == "tool_use"
    assert results[1]["stop_reason"] == "end_turn"
    final = frames[-1]
    assert final["reason"] == "end_turn" and final["step"] == 2

    # Step 2's request: step 1's request + the assistant turn unchanged + the mock's answer.
    first_reply = results[0]["message"]
    second = steps[1]["request"]
    assert second["messages"][:1] == loop_request()["messages"]
    assert second["messages"][1] == {"role": "assistant", "content": first_reply["content"]}
    call = next(b for b in first_reply["content"] if b["type"] == "tool_use")
    answer = second["messages"][2]
    assert answer["role"] == "user"
    assert answer["content"] == [
        {"type": "tool_result", "tool_use_id": call["id"],
         "content": json.dumps({"city": call["input"]["city"], "temp_c": 19})}
    ]
    # The final frame carries the whole conversation, ending with the last answer.
    assert final["request"]["messages"][:3] == second["messages"]
    assert final["request"]["messages"][3]["content"] == results[1]["message"]["content"]

    one = await recorded(next(f for f in frames if f["type"] == "run.started" and f["step"] == 1)["exchange_id"])
    two = await recorded(next(f for f in frames if f["type"] == "run.started" and f["step"] == 2)["exchange_id"])
    assert one.outcome == two.outcome == "completed"
    assert one.thread_id is not None and one.thread_id == two.thread_id
    assert two.request_body["messages"] == second["messages"]


async def test_it_stops_and_names_the_tool_that_has_no_mock(alice):
    frames = await run_once(
        alice,
        {"action": "autorun", "run_id": "loop-2", "request": loop_request(), "mocks": {}, "max_steps": 5},
        until=loop_done,
        timeout=20,
    )
    final = frames[-1]
    assert final["reason"] == "missing_mock"
    assert final["missing_tools"] == ["get_weather"]
    assert [f["step"] for f in frames if f["type"] == "run.finished"] == [1]
    # the conversation so far ends with the assistant turn that asked for the tool
    assert final["request"]["messages"][-1]["role"] == "assistant"


async def test_it_stops_at_max_steps(alice):
    frames = await run_once(
        alice,
        {"action": "autorun", "run_id": "loop-3", "request": loop_request(),
         "mocks": {"get_weather": {"type": "static", "value": "sunny"}}, "max_steps": 1},
        until=loop_done,
        timeout=20,
    )
    assert frames[-1]["reason"] == "max_steps"
    assert [f["step"] for f in frames if f["type"] == "run.finished"] == [1]
    # the mock answer is already prepared for the next step
    assert frames[-1]["request"]["messages"][-1]["content"][0]["content"] == "sunny"


async def test_it_passes_thinking_back_first_with_its_signature(alice):
    request = {**loop_request(), "max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024}}
    frames = await run_once(
        alice,
        {"action": "autorun", "run_id": "loop-think", "request": request,
         "mocks": {"get_weather": {"type": "static", "value": {"temp_c": 19}}}, "max_steps": 4},
        until=loop_done,
        timeout=20,
    )
    results = [f for f in frames if f["type"] == "run.finished"]
    assert [r["outcome"] for r in results] == ["completed", "completed"]
    first = results[0]["message"]["content"]
    assert first[0]["type"] == "thinking" and first[0]["signature"]
    step_two = next(f for f in frames if f["type"] == "loop.step" and f["step"] == 2)["request"]
    assert step_two["messages"][1]["content"] == first  # thinking first, byte for byte
    assert frames[-1]["reason"] == "end_turn"
