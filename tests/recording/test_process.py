"""The recorder process: the writer's work is done by a child process, as the parent."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from asgiref.sync import sync_to_async

from playground import recording
from playground.recording import boot
from playground.recording.events import iter_events
from playground.recording.models import Exchange, RecorderBoot
from playground.recording.process import recorder
from tests.recording.helpers import team_of
from tests.recording.test_event_runs import _stream

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _process_mode(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RECORDER_PROCESS", "1")


async def _record(team_id: int, stream: list[bytes]) -> str:
    rec = recording.start_exchange(source="proxy", request_body=b'{"model":"sim-1","stream":true}',
                                   team_id=team_id, secrets=("sk-secret-value-0123456789",))
    rec.response_started(200, [("content-type", "text/event-stream")])
    whole = b"".join(stream)
    for start in range(0, len(whole), 500):
        rec.chunk(whole[start : start + 500], time.monotonic())
    rec.finish()
    await recording.flush()
    return rec.public_id


async def test_a_child_process_writes_the_recording_as_this_process(alice):
    team_id = (await sync_to_async(team_of)(alice)).id
    stream = _stream(50)
    stream[3] = stream[3].replace(b"w1 ", b"sk-secret-value-0123456789")
    public_id = await _record(team_id, stream)

    child = recorder.pid
    assert child is not None and child != os.getpid()
    exchange = await Exchange.objects.aget(public_id=public_id)
    assert exchange.outcome == "completed" and exchange.event_count == len(stream)
    assert exchange.boot_id == boot.BOOT_ID
    events = await sync_to_async(lambda: list(iter_events(exchange)))()
    assert b"sk-secret-value" not in b"".join(e.raw_bytes for e in events)
    assert [e.raw_bytes for e in events[:3]] == stream[:3]
    # The heartbeat row names this process, so its live streams are never swept as dead.
    await sync_to_async(recorder.call)(("heartbeat",))
    row = await RecorderBoot.objects.aget(boot_id=boot.BOOT_ID)
    assert row.pid == os.getpid()


async def test_a_child_that_died_is_replaced_and_recording_goes_on(alice):
    team_id = (await sync_to_async(team_of)(alice)).id
    await _record(team_id, _stream(5))
    # A stream in flight when the child dies: its state died with it.
    cut = recording.start_exchange(source="proxy", request_body=b'{"model":"sim-1"}', team_id=team_id)
    cut.chunk(b"".join(_stream(3)[:2]), time.monotonic())
    await recording.flush()
    first = recorder.pid
    os.kill(first, signal.SIGTERM)  # ignored: the server's signals are not the recorder's
    await asyncio.sleep(0.2)
    assert recorder.pid == first
    os.kill(first, signal.SIGKILL)
    for _ in range(100):
        if recorder.pid is None:
            break
        await asyncio.sleep(0.02)
    public_id = await _record(team_id, _stream(7))
    assert recorder.pid not in (None, first)
    exchange = await Exchange.objects.aget(public_id=public_id)
    assert exchange.outcome == "completed" and exchange.event_count == 12
    # The replacement marked the orphan interrupted rather than leave it streaming.
    orphan = await Exchange.objects.aget(public_id=cut.public_id)
    assert orphan.outcome == "interrupted"
