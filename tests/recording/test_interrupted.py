"""Exchanges left `streaming` by a dead process are marked `interrupted`; live ones are not."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from playground.recording import boot
from playground.recording.models import Exchange, RecorderBoot


def _in_flight(boot_id: str, team=None) -> Exchange:
    return Exchange.objects.create(source="proxy", started_at=datetime.now(UTC), boot_id=boot_id,
                                   outcome="streaming")


def test_it_marks_only_the_dead_processes_streams(db):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead_pid = int(finished.stdout)
    now = datetime.now(UTC)
    RecorderBoot.objects.create(boot_id="dead-here", host=boot.HOST, pid=dead_pid, last_seen=now)
    RecorderBoot.objects.create(boot_id="alive-here", host=boot.HOST, pid=1, last_seen=now)
    RecorderBoot.objects.create(boot_id="silent-elsewhere", host="other", pid=5,
                                last_seen=now - timedelta(minutes=10))
    RecorderBoot.objects.create(boot_id="beating-elsewhere", host="other", pid=5, last_seen=now)
    rows = {name: _in_flight(name) for name in
            ("dead-here", "alive-here", "silent-elsewhere", "beating-elsewhere", "never-seen")}
    mine = _in_flight(boot.BOOT_ID)

    assert boot.sweep() == 3
    outcome = {name: Exchange.objects.get(pk=row.pk).outcome for name, row in rows.items()}
    assert outcome == {
        "dead-here": "interrupted",
        "alive-here": "streaming",
        "silent-elsewhere": "interrupted",
        "beating-elsewhere": "streaming",
        "never-seen": "interrupted",
    }
    assert Exchange.objects.get(pk=mine.pk).outcome == "streaming"
    assert Exchange.objects.get(pk=rows["dead-here"].pk).finished_at is not None


def test_it_settles_an_exchange_its_caller_never_finished(db):
    from datetime import timedelta

    from playground import recording
    from playground.recording import store

    rec = recording.start_exchange(source="proxy", request_body=b'{"model": "m"}')
    assert store.forget_stale(timedelta(hours=2)) == 0
    assert store.forget_stale(timedelta(seconds=-1)) == 1
    assert Exchange.objects.get(public_id=rec.public_id).outcome == "interrupted"
    assert rec.public_id not in store._live
