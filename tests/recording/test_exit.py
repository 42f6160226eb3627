"""A process that recorded something exits on its own, and what it still had queued is
written first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RECORD_AND_EXIT = r"""
import json, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import asyncio
from playground import recording

async def record():
    recording.start_exchange(source="proxy", request_body=b'{"model": "sim-1"}').finish(outcome="completed")
    await recording.flush()
    rec = recording.start_exchange(source="proxy", request_body=b'{"model": "sim-2"}')
    rec.finish(outcome="completed")   # still queued when the loop and the interpreter end

asyncio.run(record())
"""

COUNT = r"""
import django
django.setup()
from playground.recording.models import Exchange
print(Exchange.objects.count())
"""


def _env(db: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "playground.settings",
           "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    return env


def test_a_process_that_recorded_exits_and_its_queue_is_written(tmp_path):
    db = tmp_path / "exit.sqlite3"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", RECORD_AND_EXIT], cwd=ROOT, env=_env(db),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.monotonic() - started < 30
    count = subprocess.run([sys.executable, "-c", COUNT], cwd=ROOT, env=_env(db),
                           capture_output=True, text=True, timeout=60)
    assert count.stdout.strip() == "2", count.stderr[-2000:]
