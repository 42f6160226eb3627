"""Fault suite (issue 14), the cases that take a real server process down or its database away:
a worker killed mid-stream, and the database gone while a stream runs.

The app runs in uvicorn processes of its own (tests/servers.py) on a database of their own
(PostgreSQL in the suite's PostgreSQL phase, else SQLite) and without Redis;
the tests read that database from fresh interpreters (`run_python`), wait for conditions
(never for a fixed time) and bound every wait.
"""

from __future__ import annotations

import json
import threading
import time

import httpx
import psycopg
import pytest
from django.db import connection

from tests.servers import run_python, server_env, servers, shared_database

pytestmark = pytest.mark.timeout(180)

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from playground.proxy.keys import create_key
from playground.teams.ops import ensure_team
_key, raw = create_key(ensure_team("acme"), "faults")
print(raw)
"""

REPORT = """
import json
import django
django.setup()
from playground.recording.events import event_count, iter_events, raw_stream
from playground.recording.models import Exchange
rows = [{"outcome": e.outcome, "events": event_count(e), "finished": e.finished_at is not None,
         "stream": raw_stream(e).decode("utf-8", "replace"), "status": e.status,
         "asked": e.search_text, "message": e.message, "output_tokens": e.output_tokens,
         "kept": sum(1 for _ in iter_events(e))}
        for e in Exchange.objects.filter(source="proxy", model="sim-1").order_by("id")]
print(json.dumps(rows))
"""

# A stream that sends its first events, then goes silent for a minute (the simulator's stall).
STALLED = {"x-sim-fault": "stall", "x-sim-fault-after": "6", "x-sim-stall-ms": "60000"}


def _body(text: str) -> dict:
    return {"model": "sim-1", "max_tokens": 200, "stream": True, "messages": [{"role": "user", "content": text}]}


def _wait_for(what: str, check, timeout: float = 60):
    """Poll `check()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _report(env) -> list[dict]:
    return json.loads(run_python(REPORT, env))


def test_a_worker_killed_mid_stream_leaves_the_partial_exchange_marked_interrupted(tmp_path):
    with shared_database(tmp_path) as url:
        env = server_env(url, REDIS_URL="")  # the in-memory channel layer: no Redis needed
        key = run_python(SETUP, env)
        with servers(tmp_path, env, 1) as (server,):
            client_saw: list[bytes] = []
            ended = threading.Event()

            def stream() -> None:
                try:
                    with httpx.Client(timeout=120) as client, client.stream(
                        "POST", f"{server.url}/v1/messages", json=_body("killed mid-stream"),
                        headers={"x-api-key": key, **STALLED},
                    ) as response:
                        for chunk in response.iter_bytes():
                            client_saw.append(chunk)
                except httpx.HTTPError:
                    pass  # the server died under it
                finally:
                    ended.set()

            reader = threading.Thread(target=stream, daemon=True)
            reader.start()
            # The first events are relayed and written; then the upstream stalls.
            [partial] = _wait_for("the first events recorded",
                                  lambda: [e for e in _report(env) if e["events"] >= 4] or None)
            assert partial["outcome"] == "streaming"
            assert b"content_block_delta" in b"".join(client_saw)

            server.kill()
            assert ended.wait(30), "the client's stream did not end when its server died"
            reader.join(10)
            server.start()  # the same worker restarted; no request is sent to it

            [swept] = _wait_for("the restarted server to mark the stream interrupted",
                                lambda: [e for e in _report(env) if e["outcome"] != "streaming"] or None)
        assert swept["outcome"] == "interrupted"
        assert swept["finished"]
        assert swept["status"] == 200
        # What arrived before the kill is all there.
        assert swept["events"] >= partial["events"]
        assert "message_start" in swept["stream"] and "content_block_delta" in swept["stream"]


ADMIN_SETUP = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_superuser("ops", password="ops-password")
s = SessionStore()
s["_auth_user_id"] = str(user.pk)
s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
s["_auth_user_hash"] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def _admin_conninfo() -> dict:
    params = connection.settings_dict
    return {"host": params.get("HOST") or "127.0.0.1", "port": params.get("PORT") or 5432,
            "user": params.get("USER") or "postgres", "password": params.get("PASSWORD") or None,
            "dbname": "postgres", "autocommit": True}


def _take_database_away(name: str) -> None:
    """No new connections, and every open one closed: the server's database is gone."""
    with psycopg.connect(**_admin_conninfo()) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])


def _bring_database_back(name: str) -> None:
    with psycopg.connect(**_admin_conninfo()) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_the_database_gone_mid_stream_the_stream_completes_and_the_loss_is_shown(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("takes a PostgreSQL database away from a running server (the suite's PostgreSQL phase)")
    with shared_database(tmp_path) as url:
        name = url.rsplit("/", 1)[1]
        env = server_env(url, REDIS_URL="")  # the in-memory channel layer: no Redis needed
        key = run_python(SETUP, env)
        session = run_python(ADMIN_SETUP, env)
        with servers(tmp_path, env, 1) as (server,), httpx.Client(timeout=120) as client, httpx.Client(
            timeout=30, cookies={"sessionid": session}
        ) as staff:
            headers = {"x-api-key": key}
            # A first call: the key and the route are known to the process from now on.
            warm = client.post(f"{server.url}/v1/messages", json={**_body("warm up"), "stream": False},
                               headers=headers)
            assert warm.status_code == 200
            assert client.get(f"{server.url}/healthz").json()["checks"]["database"] == "ok"

            paced = {**headers, "x-sim-delay-ms": "20", "x-sim-output-tokens": "300"}
            got = b""
            gone = False
            try:
                with client.stream("POST", f"{server.url}/v1/messages", json=_body("database gone"),
                                   headers=paced) as response:
                    assert response.status_code == 200
                    for chunk in response.iter_bytes():
                        got += chunk
                        if not gone and b"content_block_delta" in got:
                            _take_database_away(name)  # while the stream runs
                            gone = True
                # The stream completes for the client, to its end.
                assert gone
                assert b"event: message_stop" in got
                assert b"event: error" not in got
                # The database is gone: the load balancer's probe says so.
                probe = client.get(f"{server.url}/healthz")
                assert probe.status_code == 503 and probe.json()["checks"]["database"] == "failing"
                # The recorder found the database gone: the stream's events are lost (counted),
                # the rest waits for it (and its log says so).
                _wait_for("the recorder to find the database gone",
                          lambda: "the database is unreachable" in server.log_path.read_text(errors="replace"))
            finally:
                _bring_database_back(name)

            # Once the database is back, staff see on the recordings list that data was lost.
            def warned() -> str | None:
                page = staff.get(f"{server.url}/admin/recording/exchange/")
                return page.text if "Recording lost data since this process started" in page.text else None

            text = _wait_for("the loss to be shown to staff", warned)
            assert "events not written" in text
            assert client.get(f"{server.url}/healthz").status_code == 200

            # The exchange itself waited for the database and was finished once it was back:
            # its message rebuilt from memory, only the events of the outage missing.
            def finished() -> dict | None:
                rows = [e for e in _report(env) if "database gone" in e["asked"]]
                return rows[0] if rows and rows[0]["outcome"] != "streaming" else None

            exchange = _wait_for("the stream's exchange to be finished", finished)
        assert exchange["outcome"] == "completed"
        assert exchange["message"]["stop_reason"] and exchange["message"]["content"][0]["text"]
        assert exchange["output_tokens"]
        streamed = got.count(b"event: ")
        assert exchange["kept"] < streamed  # the outage's events are lost
