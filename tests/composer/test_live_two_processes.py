"""The team live view across two server processes sharing Redis and one database file.

A run streamed through process A is watched live from process B: B only learns about the run
through the channel layer (Redis) and the shared database, as in a deployment with several
servers. The servers use the suite's REDIS_URL (the PostgreSQL + Redis phase sets it), else
Redis's first database on 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.servers import run_python, server_env, servers

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from playground.teams.ops import add_member, ensure_team
keys = {}
for name in ("alice", "carol"):
    user = get_user_model().objects.create_user(name, password=name + "-password")
    add_member(ensure_team("acme"), user)
    s = SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create()
    keys[name] = s.session_key
print(json.dumps(keys))
"""


@pytest.fixture
def two_servers(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    keys = json.loads(run_python(SETUP, env))
    with servers(tmp_path, env, 2) as (a, b):
        yield [a.port, b.port], keys


def ws_connect(port: int, path: str, session_key: str):
    return websockets.connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers={"Cookie": f"sessionid={session_key}", "Origin": f"http://127.0.0.1:{port}"},
        max_size=None,
    )


async def test_a_run_on_one_server_is_watched_live_from_another(two_servers):
    (port_a, port_b), keys = two_servers
    request = {"model": "sim-1", "max_tokens": 300, "messages": [{"role": "user", "content": "Tell me about otters."}]}
    async with ws_connect(port_a, "/ws/runs/", keys["alice"]) as runner:
        await runner.send(json.dumps({
            "action": "run", "run_id": "two-proc", "request": request,
            # Paced, with a 2 s pause after 5 deltas: the viewer joins while the run streams.
            "headers": {"x-sim-delay-ms": "5", "x-sim-output-tokens": "400", "x-sim-fault": "stall",
                        "x-sim-fault-after": "5", "x-sim-stall-ms": "2000"},
        }))
        run_frames = []
        async with asyncio.timeout(30):
            while True:  # wait until the run is well under way
                frame = json.loads(await runner.recv())
                run_frames.append(frame)
                if frame["type"] == "run.events" and frame["events"][-1]["seq"] >= 5:
                    break
        exchange_id = run_frames[0]["exchange_id"]
        async with ws_connect(port_b, f"/ws/exchanges/{exchange_id}/live/", keys["carol"]) as viewer:
            live_frames = []
            async with asyncio.timeout(30):
                while not live_frames or live_frames[-1]["type"] != "live.finished":
                    live_frames.append(json.loads(await viewer.recv()))
            async with asyncio.timeout(30):
                while run_frames[-1]["type"] != "run.finished":
                    run_frames.append(json.loads(await runner.recv()))

    ran = [e["seq"] for f in run_frames if f["type"] == "run.events" for e in f["events"]]
    watched = [e for f in live_frames if f["type"] == "live.events" for e in f["events"]]
    assert len(ran) > 40
    assert [e["seq"] for e in watched] == ran  # every event once, in order, none lost
    # Some of it arrived live through Redis, not only from the database replay.
    live_only = [f for f in live_frames if f["type"] == "live.events" and not f.get("replay")]
    assert live_only, f"nothing arrived through the channel layer: {[len(f.get('events', [])) for f in live_frames]}"
    assert live_frames[-1]["outcome"] == "completed"
    assert live_frames[-1]["message"] == run_frames[-1]["message"]
