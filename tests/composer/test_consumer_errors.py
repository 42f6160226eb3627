"""Upstream failures reach the page in the API's words, with what arrived, and are recorded."""

from __future__ import annotations

import pytest

from tests.composer.support import (
    connect,
    events_of,
    finished,
    frames_until,
    message_text,
    recorded,
    run_once,
    simple_request,
    streamed_text,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_keeps_the_partial_message_of_an_error_mid_stream(alice):
    frames = await run_once(
        alice,
        {"action": "run", "run_id": "mid", "request": simple_request(),
         "headers": {"x-sim-fault": "error_mid_stream", "x-sim-output-tokens": "200"}},
    )
    done = frames[-1]
    events = events_of(frames)
    assert events[-1]["event"] == "error"
    assert done["outcome"] == "error_mid_stream"
    assert done["status"] == 200
    assert done["error"] == events[-1]["data"]["error"]
    partial = streamed_text(events)
    assert partial and message_text(done["message"]) == partial
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.outcome == "error_mid_stream"
    assert exchange.error_type == done["error"]["type"]
    assert message_text(exchange.message) == partial


async def test_it_reports_an_upstream_error_status_with_its_body(alice):
    comm = await connect(alice)
    for fault, status, error_type in [("overloaded", 529, "overloaded_error"), ("rate_limit", 429, "rate_limit_error")]:
        await comm.send_json_to(
            {"action": "run", "run_id": fault, "request": simple_request(), "headers": {"x-sim-fault": fault}}
        )
        frames = await frames_until(comm, finished)
        done = frames[-1]
        assert done["outcome"] == "upstream_error"
        assert done["status"] == status
        assert done["error"]["type"] == error_type
        assert done["request_id"]
        assert done["message"] is None
        exchange = await recorded(frames[0]["exchange_id"])
        assert exchange.outcome == "upstream_error"
        assert exchange.status == status
        assert exchange.error_type == error_type
    await comm.disconnect()


async def test_it_marks_a_cut_stream_incomplete(alice):
    frames = await run_once(
        alice,
        {"action": "run", "run_id": "cut", "request": simple_request(), "headers": {"x-sim-fault": "cut_mid_stream"}},
    )
    assert frames[-1]["outcome"] == "incomplete"
    assert message_text(frames[-1]["message"]) == streamed_text(events_of(frames))
    exchange = await recorded(frames[0]["exchange_id"])
    assert exchange.outcome == "incomplete"


async def test_it_sends_a_request_the_validator_rejects_and_shows_the_api_error(alice):
    body = {"model": "sim-1", "messages": [{"role": "user", "content": "hi"}]}  # no max_tokens
    frames = await run_once(alice, {"action": "run", "run_id": "invalid", "request": body})
    done = frames[-1]
    assert done["outcome"] == "upstream_error"
    assert done["status"] == 400
    assert done["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in done["error"]["message"]
