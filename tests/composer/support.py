"""What the run-socket tests share: connect as a persona, run a message, read frames."""

from __future__ import annotations

import asyncio
import uuid

from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from playground.composer.routing import websocket_urlpatterns


def new_run_id() -> str:
    return str(uuid.uuid4())


def simple_request(text: str = "Tell me about otters.", **extra) -> dict:
    return {"model": "sim-1", "max_tokens": 256, "messages": [{"role": "user", "content": text}], **extra}


def communicator(user, path: str = "/ws/runs/", session: dict | None = None) -> WebsocketCommunicator:
    """A socket of the composer's routes as `user` (with `session` when given), not yet connected."""
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user
    if session is not None:
        comm.scope["session"] = session
    return comm


async def connect(user, path: str = "/ws/runs/") -> WebsocketCommunicator:
    comm = communicator(user, path)
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


async def run_once(user, message: dict, *, until=finished, timeout: float = 10) -> list[dict]:  # noqa: ASYNC109
    """Connect as `user`, send `message`, and return the frames up to `until(frame)`; then close."""
    comm = await connect(user)
    await comm.send_json_to(message)
    frames = await frames_until(comm, until, timeout=timeout)
    await comm.disconnect()
    return frames


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
    from playground.recording.events import event_count
    from playground.recording.models import Exchange

    def count() -> int:
        return event_count(Exchange.objects.get(public_id=public_id))

    return await database_sync_to_async(count)()


def team_of(user) -> int:
    return user.memberships.first().team_id
