"""Compare: one request against several targets in parallel, frames tagged by column."""

from __future__ import annotations

import pytest

from tests.composer.support import (
    events_of,
    message_text,
    recorded,
    run_once,
    simple_request,
    streamed_text,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_streams_two_columns_in_parallel(alice):
    done = set()
    frames = await run_once(
        alice,
        {"action": "compare", "run_id": "cmp-1", "request": simple_request(),
         "headers": {"x-sim-delay-ms": "2"},
         "targets": [{"model": "sim-1", "provider": None}, {"model": "sim-1-fast", "provider": None}]},
        until=lambda f: f["type"] == "run.finished" and (done.add(f["column"]) or len(done) == 2),
    )

    started = {f["column"]: f for f in frames if f["type"] == "run.started"}
    assert started[0]["model"] == "sim-1" and started[1]["model"] == "sim-1-fast"
    assert started[0]["exchange_id"] != started[1]["exchange_id"]
    finished = {f["column"]: f for f in frames if f["type"] == "run.finished"}
    for column in (0, 1):
        assert finished[column]["outcome"] == "completed"
        assert message_text(finished[column]["message"]) == streamed_text(events_of(frames, column=column))
        exchange = await recorded(started[column]["exchange_id"])
        assert exchange.model == started[column]["model"]
    # parallel, not one after the other: column 1's events begin before column 0 finishes
    kinds = [(f["type"], f.get("column")) for f in frames]
    assert kinds.index(("run.events", 1)) < kinds.index(("run.finished", 0))


WEATHER = {"name": "get_weather", "description": "Weather for a city.",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
CLOCK = {"name": "get_time", "description": "The time in a city.",
         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


async def _compare(alice, targets, request=None):
    done = set()
    frames = await run_once(
        alice,
        {"action": "compare", "run_id": "cmp-params", "request": request or simple_request(system="Be helpful."),
         "targets": targets},
        until=lambda f: f["type"] == "run.rejected"
        or (f["type"] == "run.finished" and (done.add(f["column"]) or len(done) == len(targets))),
    )
    started = {f["column"]: f for f in frames if f["type"] == "run.started"}
    bodies = {column: (await recorded(f["exchange_id"])).request_body for column, f in started.items()}
    return frames, bodies


async def test_each_column_sends_its_own_parameters(alice):
    request = simple_request(system="Be helpful.", temperature=0.9, tools=[WEATHER, CLOCK],
                             tool_choice={"type": "auto"})
    frames, bodies = await _compare(alice, [
        {"model": "sim-1", "provider": None},
        {"model": "sim-1-fast", "provider": None, "overrides": {
            "temperature": 0.2, "system": "Answer in one word.",
            "thinking": {"type": "enabled", "budget_tokens": 1024}, "tools": ["get_time"]}},
    ], request={**request, "max_tokens": 2048})

    assert not [f for f in frames if f["type"] == "run.rejected"]
    plain, tuned = bodies[0], bodies[1]
    assert (plain["model"], plain["temperature"], plain["system"]) == ("sim-1", 0.9, "Be helpful.")
    assert [t["name"] for t in plain["tools"]] == ["get_weather", "get_time"] and "thinking" not in plain
    assert (tuned["model"], tuned["temperature"], tuned["system"]) == ("sim-1-fast", 0.2, "Answer in one word.")
    assert tuned["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert [t["name"] for t in tuned["tools"]] == ["get_time"] and tuned["tool_choice"] == {"type": "auto"}
    # the same conversation in both
    assert plain["messages"] == tuned["messages"]


async def test_a_column_can_drop_what_the_request_sets(alice):
    request = simple_request(system="Be helpful.", temperature=0.9, tools=[WEATHER],
                             tool_choice={"type": "auto"}, thinking={"type": "adaptive"})
    _frames, bodies = await _compare(alice, [
        {"model": "sim-1", "provider": None, "overrides": {"temperature": None, "system": None, "thinking": None, "tools": []}},
        {"model": "sim-1", "provider": None, "overrides": {"system": ""}},
    ], request=request)

    bare = bodies[0]
    for key in ("temperature", "system", "thinking", "tools", "tool_choice"):
        assert key not in bare, key
    assert "system" not in bodies[1] and bodies[1]["temperature"] == 0.9


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"temperature": 3}, "column 2: temperature must be a number from 0 to 1"),
        ({"temperature": "hot"}, "column 2: temperature"),
        ({"thinking": {"type": "enabled"}}, "column 2: thinking \"enabled\" takes exactly type and budget_tokens"),
        ({"thinking": {"type": "enabled", "budget_tokens": 10}}, "column 2: thinking.budget_tokens must be a whole number from 1024"),
        ({"thinking": {"type": "sometimes"}}, "column 2: thinking.type must be enabled, adaptive or disabled"),
        ({"system": 42}, "column 2: system must be a string"),
        ({"tools": ["nope"]}, "column 2: tools: the request has no tool named 'nope'"),
        ({"tools": "get_weather"}, "column 2: tools must be a list"),
        ({"top_k": 5}, "column 2: overrides: unknown key 'top_k'"),
        ("cold", "column 2: overrides must be an object"),
    ],
)
async def test_a_bad_override_is_refused_naming_its_column(alice, overrides, says):
    frames, bodies = await _compare(alice, [
        {"model": "sim-1", "provider": None},
        {"model": "sim-1", "provider": None, "overrides": overrides},
    ], request=simple_request(tools=[WEATHER]))

    rejected = [f for f in frames if f["type"] == "run.rejected"]
    assert len(rejected) == 1 and bodies == {}
    assert rejected[0]["column"] == 1 and rejected[0]["run_id"] == "cmp-params"
    assert rejected[0]["error"]["type"] == "invalid_request_error"
    assert rejected[0]["error"]["message"].startswith(says)
