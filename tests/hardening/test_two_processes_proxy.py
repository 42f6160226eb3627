"""Proxy traffic spread over two server processes: all recorded, threaded into the same
conversations, and no conversation split in two (issue 14).

Two uvicorn servers (the production protocol, each with its own recording writer) share the
database and Redis, as in a deployment with several workers: PostgreSQL in the suite's
PostgreSQL phase (a database of its own), else one SQLite file. Pairs of requests naming
one new thread (`x-playground-thread`) arrive at both at once, and without the thread lock
the two processes each created the thread (a duplicated thread header). Conversations
alternate between the processes turn by turn, so a turn is often written before the turn it
continues (still queued in the other process); it must still end in its conversation's
thread, at its step.
"""

from __future__ import annotations

import json
import threading
import time

import anthropic
import pytest

from tests.servers import run_python, server_env, servers, shared_database

pytestmark = [pytest.mark.redis, pytest.mark.timeout(400)]

HINTS = 8
CONVERSATIONS = 4

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from playground.proxy.keys import create_key
from playground.teams.ops import ensure_team
_key, raw = create_key(ensure_team("acme"), "two-processes")
print(raw)
"""

REPORT = """
import json
import django
django.setup()
from playground.recording.models import Exchange, Thread
rows = list(Exchange.objects.filter(source="proxy").values(
    "outcome", "step", "thread__public_id", "thread__hint", "thread_hint", "team__name", "search_text"))
threads = list(Thread.objects.values("public_id", "hint", "exchange_count"))
print(json.dumps({"exchanges": rows, "threads": threads}, default=str))
"""


@pytest.fixture
def two_servers(tmp_path):
    with shared_database(tmp_path) as url:
        env = server_env(url)
        key = run_python(SETUP, env)
        with servers(tmp_path, env, 2, production_protocol=True) as (a, b):
            yield (a.port, b.port), key, lambda: json.loads(run_python(REPORT, env))


def _sdk(port: int, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=f"http://127.0.0.1:{port}", api_key=key, max_retries=0, timeout=60)


def _at_once(calls: list) -> list:
    results: list = [None] * len(calls)
    errors: list = []
    barrier = threading.Barrier(len(calls))

    def run(i: int, call) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    return results


def test_two_processes_record_everything_and_keep_conversations_whole(two_servers):
    (port_a, port_b), key, report = two_servers
    clients = [_sdk(port_a, key), _sdk(port_b, key)]

    # Pairs naming one new thread, one request to each process at the same moment.
    calls = []
    for h in range(HINTS):
        for side in (0, 1):
            calls.append(lambda h=h, side=side: clients[side].messages.create(
                model="sim-1", max_tokens=40, messages=[{"role": "user", "content": f"hinted {h} from {side}"}],
                extra_headers={"x-playground-thread": f"pair-{h}"}))
    _at_once(calls)

    # Conversations whose turns alternate between the processes, all running at once.
    def conversation(c: int) -> None:
        history: list = []
        for turn in range(3):
            history.append({"role": "user", "content": f"conversation {c} turn {turn}"})
            reply = clients[(c + turn) % 2].messages.create(model="sim-1", max_tokens=40, messages=history)
            history.append({"role": "assistant", "content": [b.model_dump() for b in reply.content]})

    _at_once([lambda c=c: conversation(c) for c in range(CONVERSATIONS)])

    expected = HINTS * 2 + CONVERSATIONS * 3
    deadline = time.monotonic() + 60
    while True:
        seen = report()
        finished = [e for e in seen["exchanges"] if e["outcome"] != "streaming" and e["thread__public_id"]]
        if len(finished) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    exchanges = seen["exchanges"]
    assert len(exchanges) == expected
    assert all(e["outcome"] == "completed" and e["team__name"] == "acme" for e in exchanges), exchanges
    for h in range(HINTS):
        named = [t for t in seen["threads"] if t["hint"] == f"pair-{h}"]
        assert len(named) == 1, f"pair-{h} has {len(named)} threads"
        members = {e["thread__public_id"] for e in exchanges if e["thread_hint"] == f"pair-{h}"}
        assert members == {named[0]["public_id"]}
        assert named[0]["exchange_count"] == 2
    for c in range(CONVERSATIONS):
        turns = [e for e in exchanges if f"conversation {c} turn 0" in (e["search_text"] or "")]
        assert len(turns) == 3
        assert len({e["thread__public_id"] for e in turns}) == 1
        assert sorted(e["step"] for e in turns) == [0, 1, 2]
    assert len(seen["threads"]) == HINTS + CONVERSATIONS
