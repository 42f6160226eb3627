"""The recorder process: the writer's database work, done by a child of the server process.

Why: writing a batch is Python work (parsing the events, rebuilding the message, the ORM's
queries) that costs about ten times what relaying the same stream costs. Done in a thread
of the server process, it competed with the event loop for the GIL, and every relayed
stream waited for it. In a child process it runs beside the loop, at a lower CPU priority
(`NICENESS`), so live traffic comes first and recording catches up when the machine has a
moment; the loop only hands over batches.

Protocol (one request, one answer, over a pipe; the writer's single thread is the only
caller): ("batch", ops) -> store.BatchResult; ("heartbeat",) -> None; ("close",) -> None
(give the database connection back). The child takes the parent's boot id and pid, so the
exchanges it writes belong to the parent process (see `boot.py`), and it uses the parent's
database settings as they are at start (a test database included). It exits when the
pipe closes, so it never outlives the server.

Failures: a batch that fails inside the child comes back counted as failed; the child
goes on. A child that dies is replaced on the next batch: the batch it was writing is
counted as failed (`writer.health()`), and the streams it was recording, whose state died
with it, are marked `interrupted` by the replacement. The child ignores SIGINT and SIGTERM
(they reach the whole process group while the server drains its streams). A child that
cannot start, or dies within seconds three times in a row, is given up: the writer's
thread then does the work in-process, as it does with `PLAYGROUND_RECORDER_PROCESS=0`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time

log = logging.getLogger(__name__)

NICENESS = 10  # below the server's own processes, never idle-only
# A child that cannot start, or dies this soon this many times in a row, is given up on:
# the writer's thread then writes in-process (a platform that cannot run it, a broken
# environment), rather than lose every batch.
EARLY_DEATH_SECONDS = 10.0
MAX_EARLY_DEATHS = 3


class RecorderGone(Exception):
    """The child died or could not start; what it was given may not be written."""


def _child_main(
    conn, settings_module: str, databases: dict, boot_id: str, pid: int, replacing: bool
) -> None:
    # The server's signals are the server's: Ctrl-C or a service manager's SIGTERM reach
    # the whole process group, and the recorder must keep writing while the server drains
    # its streams. It exits when the server closes the pipe (or dies).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    import django

    django.setup()
    from django.db import connection, connections

    for alias, settings_dict in databases.items():
        connections[alias].settings_dict.update(settings_dict)
    from playground.recording import boot, store

    boot.BOOT_ID, boot.PID = boot_id, pid  # write as the parent process
    if replacing:
        _settle_orphans(boot_id)
    _freeze_startup_heap()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            answer = _handle(message, boot, store, connection)
        except Exception as exc:  # never die on one bad batch: report it, go on
            log.exception("recorder process: %s failed", message[0])
            answer = store.BatchResult(failed_ops=len(message[1]), error=f"{type(exc).__name__}: {exc}"[:300]) if message[0] == "batch" else None
        conn.send(answer)


def _freeze_startup_heap() -> None:
    """What is loaded by now (Django, the models, the recorder's modules) lives as long as
    the child: moved out of the collector's generations, it is no longer walked by every
    full collection (measured with the recorder's batches of a 100-stream burst: about 8%
    of the child's time)."""
    import playground.contract.pricing  # noqa: F401 - imported on first use otherwise
    import playground.contract.validate  # noqa: F401

    gc.collect()
    gc.freeze()


def _handle(message: tuple, boot, store, connection):
    kind = message[0]
    if kind == "batch":
        boot.ensure_swept()
        return store.write_batch(message[1])
    if kind == "heartbeat":
        boot.heartbeat()
        try:
            store.forget_stale()
        except Exception:
            log.warning("recording: could not settle stale exchanges", exc_info=True)
        return None
    connection.close()  # "close"
    return None


def _settle_orphans(boot_id: str) -> None:
    """A replacement child starts with no state: the streams its predecessor was recording
    can no longer be finished, so they are marked `interrupted` (before this child has
    created anything, every `streaming` row of this boot id is such a stream)."""
    from datetime import UTC, datetime

    from playground.recording.models import Exchange

    try:
        count = Exchange.objects.filter(boot_id=boot_id, outcome="streaming").update(
            outcome="interrupted", finished_at=datetime.now(UTC)
        )
    except Exception:
        log.warning("recorder process: could not settle the previous one's streams", exc_info=True)
        return
    if count:
        log.warning("recorder process restarted: %d streams in flight marked interrupted", count)


class RecorderProcess:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = None
        self._conn = None
        self._started_at = 0.0
        self._starts = 0
        self._early_deaths = 0
        self.given_up = False

    @property
    def enabled(self) -> bool:
        return os.environ.get("PLAYGROUND_RECORDER_PROCESS", "1") != "0" and not self.given_up

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def _start(self) -> None:
        from django.conf import settings
        from django.db import connections

        from playground.recording import boot

        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        databases = {alias: dict(connections[alias].settings_dict) for alias in settings.DATABASES}
        process = context.Process(
            target=_child_main,
            args=(child_end, os.environ.get("DJANGO_SETTINGS_MODULE", "playground.settings"),
                  databases, boot.BOOT_ID, boot.PID, self._starts > 0),
            name="playground-recorder",
            daemon=True,
        )
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end
        self._started_at = time.monotonic()
        self._starts += 1

    def call(self, message: tuple, *, start: bool = True):
        """Send one request and wait for its answer (blocking: the writer's thread)."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._stop()
                if not start:
                    raise RecorderGone("the recorder process is not running")
                try:
                    self._start()
                except Exception as exc:
                    self._give_up(f"could not start: {exc}")
                    raise RecorderGone(f"could not start the recorder process: {exc}") from exc
            try:
                self._conn.send(message)
                answer = self._conn.recv()
            except (EOFError, OSError) as exc:
                lived = time.monotonic() - self._started_at
                self._stop()
                self._early_deaths = self._early_deaths + 1 if lived < EARLY_DEATH_SECONDS else 0
                if self._early_deaths >= MAX_EARLY_DEATHS:
                    self._give_up(f"it died {self._early_deaths} times within {EARLY_DEATH_SECONDS:g} s")
                raise RecorderGone("the recorder process stopped") from exc
            self._early_deaths = 0
            return answer

    def _give_up(self, why: str) -> None:
        self.given_up = True
        log.error("recorder process given up (%s): recording from the server's own thread", why)

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            conn.close()  # the child sees EOF and exits
        if process is not None:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)


recorder = RecorderProcess()
