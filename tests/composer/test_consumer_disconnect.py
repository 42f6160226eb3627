"""Closing the tab cancels every run of the socket; each is recorded client_cancelled."""

from __future__ import annotations

import pytest

from tests.composer.support import (
    connect,
    events_of,
    recorded,
    simple_request,
    streamed_text,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_cancels_and_records_all_runs_when_the_socket_closes(alice):
    comm = await connect(alice)
    slow = {"x-sim-delay-ms": "20", "x-sim-output-tokens": "400"}
    for run_id in ("tab-a", "tab-b"):
        await comm.send_json_to({"action": "run", "run_id": run_id, "request": simple_request(), "headers": slow})
    started: dict[str, str] = {}
    frames: list[dict] = []
    # Wait until both runs have started and both have streamed something.
    while len(started) < 2 or not all(events_of(frames, run_id=r) for r in started):
        frame = await comm.receive_json_from(timeout=10)
        frames.append(frame)
        if frame["type"] == "run.started":
            started[frame["run_id"]] = frame["exchange_id"]
    await comm.disconnect()

    for run_id, public_id in started.items():
        exchange = await recorded(public_id)
        assert exchange.outcome == "client_cancelled", run_id
        # the partial answer is kept, up to what the page had seen or more
        seen = streamed_text(events_of(frames, run_id=run_id))
        stored = "".join(b.get("text", "") for b in (exchange.message or {}).get("content", []))
        assert stored.startswith(seen)
