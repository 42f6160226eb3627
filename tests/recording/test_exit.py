"""A process that recorded something exits on its own, and what it still had queued is
written first: the recorder child (which ignores SIGTERM) leaves when its pipe closes."""

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
from playground import recording
from playground.recording import process
recording.start_exchange(source="proxy", request_body=b'{"model": "sim-1"}').finish(outcome="completed")
recording.flush_sync()
assert process.recorder.pid is not None, "the recorder child should be running"
rec = recording.start_exchange(source="proxy", request_body=b'{"model": "sim-2"}')
rec.finish(outcome="completed")   # still queued when the interpreter exits
print(process.recorder.pid, flush=True)
"""

COUNT = r"""
import django
django.setup()
from playground.recording.models import Exchange
print(Exchange.objects.count())
"""


def _env(db: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "playground.settings",
           "PYTHONPATH": str(ROOT), "PLAYGROUND_RECORDER_PROCESS": "1"}
    env.pop("REDIS_URL", None)
    return env


def test_a_process_that_recorded_exits_and_its_queue_is_written(tmp_path):
    db = tmp_path / "exit.sqlite3"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", RECORD_AND_EXIT], cwd=ROOT, env=_env(db),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.monotonic() - started < 30  # it hung forever at exit before
    child = int(done.stdout.strip())
    for _ in range(50):  # the recorder child is gone too
        if not Path(f"/proc/{child}").exists():
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{child}").exists()
    count = subprocess.run([sys.executable, "-c", COUNT], cwd=ROOT, env=_env(db),
                           capture_output=True, text=True, timeout=60)
    assert count.stdout.strip() == "2", count.stderr[-2000:]
