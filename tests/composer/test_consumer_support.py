"""Shared helpers of the run-socket tests (no tests here): connect as a persona, read frames."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from playground.composer.routing import websocket_urlpatterns


@pytest.fixture
async def settle_recording(transactional_db):
    """After the test, wait until the recorder wrote everything, before the database goes."""
    from playground import recording

    yield
    await recording.flush()


def new_run_id() -> str:
    return str(uuid.uuid4())


def simple_request(text: str = "Tell me about otters.", **extra) -> dict:
    return {"model": "sim-1", "max_tokens": 256, "messages": [{"role": "user", "content": text}], **extra}


async def connect(user, path: str = "/ws/runs/") -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user
    connected, _ = await comm.connect()
    assert connected, f"could not connect to {path}"
    return comm


async def frames_until(comm: WebsocketCommunicator, done, timeout: float = 10) -> list[dict]:  # noqa: ASYNC109
    """Frames received until `done(frame)` is true (inclusive)."""
    frames = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"timed out; frames so far: {[f['type'] for f in frames]}"
        frame = await comm.receive_json_from(timeout=left)
        frames.append(frame)
        if done(frame):
            return frames


def finished(frame: dict) -> bool:
    return frame["type"] == "run.finished"


def events_of(frames: list[dict], **tags) -> list[dict]:
    out = []
    for f in frames:
        if f["type"] == "run.events" and all(f.get(k) == v for k, v in tags.items()):
            out.extend(f["events"])
    return out


def streamed_text(events: list[dict]) -> str:
    return "".join(
        e["data"]["delta"].get("text", "")
        for e in events
        if e["event"] == "content_block_delta" and e["data"]["delta"]["type"] == "text_delta"
    )


def message_text(message: dict | None) -> str:
    return "".join(b.get("text", "") for b in (message or {}).get("content") or [] if b["type"] == "text")


async def recorded(public_id: str):
    """The exchange as stored, after the recorder has written everything queued."""
    from playground import recording
    from playground.recording.models import Exchange

    await recording.flush()
    return await database_sync_to_async(Exchange.objects.get)(public_id=public_id)


async def recorded_event_count(public_id: str) -> int:
    from playground.recording.models import ExchangeEvent

    return await database_sync_to_async(
        ExchangeEvent.objects.filter(exchange__public_id=public_id).count
    )()
