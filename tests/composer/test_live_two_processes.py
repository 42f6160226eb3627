"""The team live view across two server processes sharing Redis and one database file.

A run streamed through process A is watched live from process B: B only learns about the run
through the channel layer (Redis) and the shared database, as in a deployment with several
servers. The servers use the suite's REDIS_URL (the PostgreSQL + Redis phase sets it), else
Redis's first database on 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("server did not start")


@pytest.fixture
def two_servers(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "playground.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "REDIS_URL": REDIS_URL,
        "PLAYGROUND_AUTO_LOGIN_USER": "",
        "LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    keys = json.loads(out.stdout.strip().splitlines()[-1])
    procs, ports, logs = [], [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            # The servers' output goes to files (a pipe nobody reads could block a server).
            log = open(tmp_path / f"server-{name}.log", "wb")  # noqa: SIM115
            logs.append(log)
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "playground.asgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            wait_for_port(port, proc)
            ports.append(port)
        yield ports, keys
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()
        for path in sorted(tmp_path.glob("server-*.log")):
            tail = path.read_text(errors="replace")[-3000:]
            if tail.strip():
                print(f"--- {path.name}\n{tail}")  # shown by pytest when the test fails


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
