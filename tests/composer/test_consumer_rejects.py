"""Unusable client messages get a run.rejected frame and the socket keeps working."""

from __future__ import annotations

import pytest

from tests.composer.support import (
    connect,
    finished,
    frames_until,
    new_run_id,
    simple_request,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]

BAD = [
    ("not json at all", None),
    ('["a", "list"]', None),
    ('{"action": "explode", "run_id": "r1"}', "unknown action"),
    ('{"action": "run", "run_id": "r 1", "request": {}}', "run_id"),
    ('{"action": "run", "run_id": "r2", "request": "hello"}', "request must be"),
    ('{"action": "run", "run_id": "r3", "request": {}, "evil": 1}', "unknown key: evil"),
    ('{"action": "run", "run_id": "r4", "request": {}, "headers": {"x": 1}}', "header"),
    ('{"action": "autorun", "run_id": "r5", "request": {}, "mocks": {"t": {"type": "eval"}}}', "mock"),
    ('{"action": "autorun", "run_id": "r6", "request": {}, "mocks": {}, "max_steps": 0}', "max_steps"),
    ('{"action": "compare", "run_id": "r7", "request": {}, "targets": [{"model": "sim-1"}]}', "2 to 4"),
]


async def test_it_rejects_bad_messages_clearly_and_keeps_working(alice):
    comm = await connect(alice)
    for text, needle in BAD:
        await comm.send_to(text_data=text)
        frame = await comm.receive_json_from(timeout=5)
        assert frame["type"] == "run.rejected", text
        assert frame["error"]["type"] == "invalid_request_error"
        if needle:
            assert needle in frame["error"]["message"], text
    # the socket is still usable
    await comm.send_json_to({"action": "run", "run_id": new_run_id(), "request": simple_request()})
    frames = await frames_until(comm, finished)
    assert frames[-1]["outcome"] == "completed"
    await comm.disconnect()


async def test_it_answers_an_unknown_model_in_the_api_words(alice):
    comm = await connect(alice)
    await comm.send_json_to(
        {"action": "run", "run_id": "r-unknown", "request": simple_request() | {"model": "nope-9"}}
    )
    frame = await comm.receive_json_from(timeout=5)
    await comm.disconnect()
    assert frame["type"] == "run.finished"
    assert frame["outcome"] == "rejected"
    assert frame["error"] == {"type": "not_found_error", "message": "model: nope-9"}
