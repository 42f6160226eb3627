"""Which process recorded what: marking exchanges left `streaming` by a dead process.

Policy: every recording process has a random boot id, stored on the exchanges it starts and
in `RecorderBoot` with a heartbeat the writer refreshes every 30 seconds. When a server
starts (its ASGI lifespan; not AppConfig.ready, which also runs for migrations), and else at
the first write of a process, exchanges still
`streaming` whose process is gone are marked `interrupted`. A process is gone when it is
this host's and its pid no longer runs, or when its heartbeat is older than `STALE_SECONDS`
(other hosts). Live streams of other running processes are left alone.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import UTC, datetime, timedelta

from django.db import transaction

from playground.recording.models import Exchange, RecorderBoot

log = logging.getLogger(__name__)

BOOT_ID = secrets.token_hex(8)
PID = os.getpid()
HOST = socket.gethostname()[:200]
STALE_SECONDS = 120
_swept = False
_lock = threading.Lock()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def heartbeat() -> None:
    try:
        now = datetime.now(UTC)
        updated = RecorderBoot.objects.filter(boot_id=BOOT_ID).update(last_seen=now)
        if not updated:
            RecorderBoot.objects.create(boot_id=BOOT_ID, host=HOST, pid=PID, last_seen=now)
    except Exception:
        log.warning("recording heartbeat failed", exc_info=True)


def dead_boots() -> list[str]:
    """Boot ids of exchanges in flight whose process is gone."""
    in_flight = set(
        Exchange.objects.filter(outcome="streaming")
        .exclude(boot_id=BOOT_ID)
        .values_list("boot_id", flat=True)
        .distinct()
    )
    if not in_flight:
        return []
    known = {b.boot_id: b for b in RecorderBoot.objects.filter(boot_id__in=in_flight)}
    stale = datetime.now(UTC) - timedelta(seconds=STALE_SECONDS)
    dead = []
    for boot_id in in_flight:
        b = known.get(boot_id)
        if b is None or b.last_seen < stale or (b.host == HOST and not _pid_alive(b.pid)):
            dead.append(boot_id)
    return dead


def sweep() -> int:
    """Mark the in-flight exchanges of dead processes `interrupted`; returns how many."""
    dead = dead_boots()
    if not dead:
        return 0
    count = Exchange.objects.filter(outcome="streaming", boot_id__in=dead).update(
        outcome="interrupted", finished_at=datetime.now(UTC)
    )
    RecorderBoot.objects.filter(boot_id__in=dead).delete()
    if count:
        log.info("recording: marked %d exchanges of stopped processes interrupted", count)
    return count


def ensure_swept() -> None:
    """The guarded start-up check: done once per process, at start (`writer.sweep_soon`) or
    at the first write, and tried again at the next write while the database is away;
    never raising."""
    global _swept
    if _swept:
        return
    with _lock:
        if _swept:
            return
        try:
            with transaction.atomic():  # a savepoint: a failure here never poisons the caller's
                heartbeat()
                sweep()
            _swept = True
        except Exception:
            log.warning("recording: startup sweep failed", exc_info=True)
