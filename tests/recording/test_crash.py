"""A process killed mid-stream keeps what had arrived; the next process marks it interrupted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RECORD_THEN_DIE = r"""
import asyncio, json, os, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from playground import recording
from playground.contract.sse import SSEParser
from tests.conftest import load_capture

async def main():
    cap = load_capture("04_stream_thinking_enabled_then_text.json")
    rec = recording.start_exchange(source="proxy", request_body=json.dumps(cap["request"]).encode())
    rec.response_started(200, [])
    events = SSEParser().feed(cap["response_sse"].encode())
    for ev in events[:5]:
        rec.event(ev.raw, time.monotonic(), ev)
    await recording.flush()          # these five reached the database
    for ev in events[5:8]:
        rec.event(ev.raw, time.monotonic(), ev)
    print(rec.public_id, flush=True)
    os._exit(9)                       # killed mid-stream: no finish, no flush

asyncio.run(main())
"""

NEXT_PROCESS = r"""
import django
django.setup()
from playground.recording import boot
from playground.recording.events import event_count, iter_events
from playground.recording.models import Exchange
boot.ensure_swept()
e = Exchange.objects.get()
print(e.outcome, event_count(e), list(iter_events(e))[-1].seq)
"""


def _run(code: str, db: Path) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "playground.settings",
           "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    return done.stdout.strip()


def test_it_keeps_what_arrived_before_a_crash(tmp_path):
    db = tmp_path / "crash.sqlite3"
    public_id = _run(RECORD_THEN_DIE, db)
    assert public_id
    outcome, count, last_seq = _run(NEXT_PROCESS, db).split()
    assert outcome == "interrupted"
    assert int(count) >= 5 and int(last_seq) == int(count) - 1
