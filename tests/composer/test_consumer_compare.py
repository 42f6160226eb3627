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
