"""The Redis channel layer under long-lived sockets, against a redis-server of the test's own
(on a free loopback port, never the shared one): a consumer idle past redis-py's 5 s read
timeout keeps waiting, and a team live view opened over real HTTP goes on receiving a run's
events after that Redis restarts, on the same socket, without a reload (issue 14's fault
case)."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import pytest
import redis
import websockets
from channels.db import database_sync_to_async

from playground import recording
from playground.channel_layer import RECONNECTED, RedisChannelLayer
from tests.composer.support import team_of
from tests.composer.test_live_view import sse_events, teammate
from tests.proxy.conftest import ServerThread
from tests.sessions import session_key_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.timeout(120),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program"),
]


class RedisServer:
    """A redis-server without persistence on a loopback port of its own, restartable."""

    def __init__(self, tmp_path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                assert self.proc.poll() is None, "redis-server exited"
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, decode_responses=True)


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


async def until(predicate, what: str, timeout: float = 20) -> None:  # noqa: ASYNC109
    """Polls `predicate` (sync, run in a thread) until it holds."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_a_consumer_waits_through_a_quiet_spell_longer_than_the_read_timeout(own_redis):
    layer = RedisChannelLayer(hosts=[own_redis.url])
    channel = await layer.new_channel()
    waiting = asyncio.create_task(layer.receive(channel))
    watcher = own_redis.client()

    def blocked_connection() -> dict | None:
        return next((c for c in watcher.client_list() if c["cmd"] == "bzpopmin"), None)

    await until(lambda: blocked_connection() is not None, "the consumer's blocking pop")
    first = blocked_connection()
    # Redis's own clock: the connection that waits has been open 8 s (past redis-py's 5 s
    # read timeout and several of the layer's blocking pops) and is still the same one.
    await until(lambda: (c := blocked_connection()) is not None and int(c["age"]) >= 8, "8 s of waiting")
    assert blocked_connection()["id"] == first["id"]  # no error made it reconnect
    assert not waiting.done(), waiting.exception() if waiting.done() else None

    await layer.send(channel, {"type": "ping"})
    async with asyncio.timeout(10):
        assert await waiting == {"type": "ping"}
    watcher.close()
    await layer.flush()


async def test_a_consumer_in_a_group_is_told_after_redis_came_back(own_redis):
    layer = RedisChannelLayer(hosts=[own_redis.url])
    channel = await layer.new_channel()
    await layer.group_add("watchers", channel)
    waiting = asyncio.create_task(layer.receive(channel))
    watcher = own_redis.client()
    await until(lambda: any(c["cmd"] == "bzpopmin" for c in watcher.client_list()), "the blocking pop")
    watcher.close()

    await asyncio.to_thread(own_redis.stop)
    await asyncio.to_thread(own_redis.start)  # empty: the group is gone with the old Redis
    async with asyncio.timeout(20):
        assert await waiting == {"type": RECONNECTED}
    # It is in its group again, so broadcasts reach it.
    await layer.group_send("watchers", {"type": "news"})
    async with asyncio.timeout(10):
        assert await layer.receive(channel) == {"type": "news"}
    await layer.flush()


def start_run(alice):
    rec = recording.start_exchange(
        source="playground", request_headers={}, request_body=b'{"model": "sim-1", "stream": true}',
        provider="simulator", team_id=team_of(alice), user_id=alice.pk,
    )
    rec.response_started(200, [("content-type", "text/event-stream; charset=utf-8")])
    return rec


@pytest.fixture
def app_on_own_redis(own_redis, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "playground.channel_layer.RedisChannelLayer", "CONFIG": {"hosts": [own_redis.url]},
    }}
    from playground.asgi import application

    server = ServerThread(application)
    url = server.start()
    yield url
    recording.flush_sync()
    server.stop()
    recording.flush_sync()


async def test_a_live_view_keeps_receiving_after_redis_restarts(own_redis, app_on_own_redis, alice):
    carol = await database_sync_to_async(teammate)()
    key = await database_sync_to_async(session_key_for)(carol)
    events = sse_events()
    rec = await database_sync_to_async(start_run)(alice)
    for sse in events[:3]:
        rec.event(sse.raw, time.monotonic(), sse)
    await recording.flush()

    port = app_on_own_redis.rsplit(":", 1)[1]
    frames: list[dict] = []

    async def frames_until(view, done) -> None:
        async with asyncio.timeout(30):
            while not frames or not done(frames[-1]):
                frames.append(json.loads(await view.recv()))

    def seqs() -> list[int]:
        return [e["seq"] for f in frames if f["type"] == "live.events" for e in f["events"]]

    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/exchanges/{rec.public_id}/live/",
        additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"},
    ) as view:
        await frames_until(view, lambda f: f["type"] == "live.events")
        assert seqs() == [0, 1, 2]
        watcher = own_redis.client()
        await until(lambda: any(c["cmd"] == "bzpopmin" for c in watcher.client_list()), "the view's blocking pop")
        watcher.close()

        await asyncio.to_thread(own_redis.stop)
        for sse in events[3:6]:  # recorded while Redis is away: their notices are lost
            rec.event(sse.raw, time.monotonic(), sse)
        await recording.flush()
        await asyncio.to_thread(own_redis.start)

        # What was missed comes once the view is back on the new Redis (from the database).
        await frames_until(view, lambda f: f["type"] == "live.events" and f["events"][-1]["seq"] >= 5)
        assert seqs() == list(range(6))
        # Later events come live, through the channel layer of the restarted Redis.
        before = len(frames)
        for sse in events[6:]:
            rec.event(sse.raw, time.monotonic(), sse)
            await recording.flush()
        rec.finish()
        await recording.flush()
        await frames_until(view, lambda f: f["type"] == "live.finished")

    assert seqs() == list(range(len(events)))  # every event once, in order
    assert any(f["type"] == "live.events" and not f["replay"] for f in frames[before:])
    assert frames[-1]["outcome"] == "completed"
