"""The recording writer: one task per process that batches captured operations into the DB.

Policy:

* The hot path only appends to a list (`put`), or stream bytes to their exchange's buffer
  in that list (`put_chunk`). A single asyncio task on the running loop wakes on the first
  operation, waits `BATCH_SECONDS` to gather more, and hands the batch to one dedicated
  thread, which writes it (`store.py`); so neither the loop nor the stream ever waits for
  the database.
* After each batch it broadcasts, per exchange, one `exchange.events` notice (the seqs just
  written) to the channel-layer group `exchange.<public_id>` and `exchange.changed` to
  `exchanges.team.<team_id>` on create and finish. A channel-layer failure is logged and
  ignored: it never breaks recording.
* Database failures are counted (`health()`), shown to staff, and never reach the stream.
  While the database does not answer, what is not stream data waits (`parked_ops`) and is
  tried again every `RETRY_SECONDS`.
  The queue is bounded, by operations (`MAX_PENDING`) and by bytes (`MAX_PENDING_BYTES`:
  stream chunks are large), and each team with work queued holds at most a fair share of
  both (`Writer.refusal`). Past a limit, stream data is dropped and counted, and
  `saturated(team_id)` tells the proxy why it should refuse the team's new calls rather
  than relay them unrecorded.
* Callers with no running loop (management commands, sync tests, threads) write directly,
  or hand the operation to a writer running on another thread's loop; what is still
  queued when the interpreter exits is written then.
* When the server starts (`sweep_soon`), or else on the first batch of a process, exchanges
  left `streaming` by a dead process are marked `interrupted` (see `boot.py`); the writer
  then refreshes this process's heartbeat.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from playground.recording import boot, ops, store

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.03
HEARTBEAT_SECONDS = 30.0
IDLE_CLOSE_SECONDS = 5.0
RETRY_SECONDS = 1.0  # while operations wait for the database to come back
MAX_PENDING = 200_000
MAX_PENDING_BYTES = 256 * 1024 * 1024
# A batch carries at most this much stream data; a burst (a long stream relayed faster
# than it is written) goes over in slices, back to back, so the writer never builds one
# whole burst in memory at once (the memory target of a 300,000-token stream).
MAX_BATCH_BYTES = 1024 * 1024

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recording-writer")
_stats_lock = threading.Lock()
_stats = {
    "written_batches": 0,
    "written_events": 0,
    "failed_batches": 0,
    "failed_ops": 0,
    "dropped_events": 0,
    "broadcast_failures": 0,
    "last_error": "",
    "last_error_at": None,
}
_writer: Writer | None = None
_writer_lock = threading.Lock()


def _count(result: store.BatchResult) -> None:
    with _stats_lock:
        _stats["written_batches"] += 1
        _stats["written_events"] += result.written_events
        if result.error:
            _stats["failed_batches"] += 1
            _stats["last_error"] = result.error
            _stats["last_error_at"] = datetime.now(UTC).isoformat()
        _stats["failed_ops"] += result.failed_ops
        _stats["dropped_events"] += result.dropped_events


def saturated(team_id: int | None = None) -> str:
    """Why a new recording for the team cannot be queued (the database is down, the
    recorder far behind, or the team holds its share of the queue); "" when it can."""
    writer = _writer
    return writer.refusal(team_id) if writer is not None else ""


def health() -> dict:
    """Counters for staff: a non-zero `failed_ops` or `dropped_events` means lost data."""
    with _stats_lock:
        stats = dict(_stats)
    writer = _writer
    stats["queue_depth"] = len(writer.pending) if writer is not None else 0
    stats["queue_bytes"] = writer.pending_bytes if writer is not None else 0
    stats["parked_ops"] = store.parked()
    stats["ok"] = stats["failed_ops"] == 0 and stats["dropped_events"] == 0
    stats["boot_id"] = boot.BOOT_ID
    return stats


def write_now(batch: list[ops.Op]) -> store.BatchResult:
    """Write in the calling thread (no loop to hand off to), then broadcast."""
    result = _write_batch(batch)  # the same place as the writer's batches: one holds the state
    _count(result)
    _broadcast_sync(result)
    return result


def _broadcast_sync(result: store.BatchResult) -> None:
    if not result.events and not result.changed:
        return
    try:
        async_to_sync(_broadcast)(result)
    except Exception:
        _broadcast_failed()


def _broadcast_failed() -> None:
    log.warning("recording broadcast failed", exc_info=True)
    with _stats_lock:
        _stats["broadcast_failures"] += 1


async def _broadcast(result: store.BatchResult) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for public_id, (first_seq, last_seq) in result.events.items():
        # A notice, not the events: a live view reads what it has not seen from the
        # database (one query per batch per viewer), so the writer builds nothing per event.
        message = {
            "type": "exchange.events",
            "public_id": public_id,
            "first_seq": first_seq,
            "last_seq": last_seq,
        }
        try:
            await layer.group_send(f"exchange.{public_id}", message)
        except Exception:
            _broadcast_failed()
    for team_id, public_id in result.changed:
        if team_id is None:
            continue
        try:
            await layer.group_send(
                f"exchanges.team.{team_id}", {"type": "exchange.changed", "public_id": public_id}
            )
            await layer.group_send(
                f"exchange.{public_id}", {"type": "exchange.changed", "public_id": public_id}
            )
        except Exception:
            _broadcast_failed()


class Writer:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[ops.Op] = []
        self.streams: dict[str, ops.Chunks] = {}  # the open stream buffers in `pending`
        self.pending_bytes = 0
        # Each team's part of the queue (operations and bytes), by the team of the exchange.
        self.teams: dict[str, int | None] = {}  # public_id -> team_id, for exchanges queued
        self.team_ops: Counter[int | None] = Counter()
        self.team_bytes: Counter[int | None] = Counter()
        self.enqueued = 0
        self.done = 0
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self.task = loop.create_task(self._run(), name="recording-writer")

    def alive(self) -> bool:
        return not self.loop.is_closed() and self.loop.is_running() and not self.task.done()

    def full(self) -> bool:
        return len(self.pending) >= MAX_PENDING or self.pending_bytes >= MAX_PENDING_BYTES

    def refusal(self, team_id: int | None) -> str:
        """Why a new recording for `team_id` would not fit, or "" when it would.

        Each team with work queued may hold a fair share of the queue: its operations and
        bytes, each at most the limit over (the other teams with work queued + 2). A team
        alone gets half, so one team's heavy streaming leaves room for every other team."""
        if self.full():
            return "the recording queue is full"
        others = sum(1 for team, count in self.team_ops.items() if count and team != team_id)
        share = others + 2
        if self.team_ops[team_id] >= MAX_PENDING / share or self.team_bytes[team_id] >= MAX_PENDING_BYTES / share:
            return "this team's share of the recording queue is full"
        return ""

    def put_chunk(self, public_id: str, offset_ms: float, raw: bytes) -> None:
        """Stream bytes as read (the proxy's hot path): appended to the exchange's buffer."""
        if self._drops(public_id):
            return
        buffer = self.streams.get(public_id)
        if buffer is None or buffer.size + len(raw) > MAX_BATCH_BYTES:
            # A new buffer, also when this read would take the open one past a batch's size.
            buffer = self.streams[public_id] = ops.Chunks(public_id)
            self._queue(buffer)
        buffer.add(offset_ms, raw)
        self._count_in(public_id, 0, len(raw))

    def put(self, op: ops.Op) -> None:
        if isinstance(op, ops.STREAM_OPS) and self._drops(op.public_id):
            return
        if isinstance(op, ops.Create):
            self.teams[op.public_id] = op.team_id
        self._queue(op)
        self._count_in(op.public_id, 0, op.size)

    def _drops(self, public_id: str) -> bool:
        """Stream data is dropped (and counted) past the queue's limits or its team's share."""
        if not self.refusal(self.teams.get(public_id)):
            return False
        with _stats_lock:
            _stats["dropped_events"] += 1
        return True

    def _queue(self, op: ops.Op) -> None:
        self.pending.append(op)
        self.enqueued += 1
        self._count_in(op.public_id, 1, 0)
        if not self._wake.is_set():
            self._wake.set()

    def _count_in(self, public_id: str, count: int, size: int) -> None:
        team = self.teams.get(public_id)
        self.pending_bytes += size
        self.team_ops[team] += count
        self.team_bytes[team] += size

    def _count_out(self, taken: list[ops.Op]) -> None:
        for op in taken:
            team = self.teams.get(op.public_id)
            self.pending_bytes -= op.size
            self.team_ops[team] -= 1
            self.team_bytes[team] -= op.size
            if not self.team_ops[team]:
                del self.team_ops[team], self.team_bytes[team]
            if isinstance(op, ops.Finish):
                self.teams.pop(op.public_id, None)
            if isinstance(op, ops.Chunks) and self.streams.get(op.public_id) is op:
                del self.streams[op.public_id]  # closed to new reads

    async def flush(self) -> None:
        target = self.enqueued
        while self.done < target and not self.task.done():
            self._wake.set()
            progress = self._progress
            await progress.wait()
        # Drained: give the connection back now (tests drop their database right after).
        await self.loop.run_in_executor(_executor, _close_connection)

    def _take_batch(self) -> tuple[list[ops.Op], bool]:
        """The oldest operations, up to MAX_BATCH_BYTES of data (at least one), and
        whether more were left behind. Stream buffers taken are closed to new reads."""
        size = 0
        end = len(self.pending)
        for i, op in enumerate(self.pending):
            if i and size + op.size > MAX_BATCH_BYTES:
                end = i
                break
            size += op.size
        taken = self.pending[:end]
        del self.pending[:end]
        self._count_out(taken)
        return taken, bool(self.pending)

    def take_all(self) -> list[ops.Op]:
        """Everything queued, ready to write (no loop left to batch it)."""
        taken = self.pending
        self.pending = []
        self._count_out(taken)
        return taken

    async def _run(self) -> None:
        last_beat = 0.0
        connected = False
        backlog = False
        while True:
            try:
                if not backlog:  # a backlog goes on at once, slice after slice
                    try:
                        idle = IDLE_CLOSE_SECONDS if connected else HEARTBEAT_SECONDS
                        if store.parked():  # waiting for the database: try again soon
                            idle = RETRY_SECONDS
                        # asyncio.timeout, not wait_for: 3.11's wait_for loses a cancel that
                        # arrives as the event is set, and the loop could then never close.
                        async with asyncio.timeout(idle):
                            await self._wake.wait()
                        await asyncio.sleep(BATCH_SECONDS)
                    except TimeoutError:
                        if connected and not self.pending and not store.parked():
                            await self.loop.run_in_executor(_executor, _close_connection)
                            connected = False
                self._wake.clear()
                batch, backlog = self._take_batch()
                if batch or store.parked():
                    connected = True
                    try:
                        result = await self.loop.run_in_executor(_executor, _write_batch, batch)
                        _count(result)
                        try:
                            await _broadcast(result)
                        except Exception:
                            _broadcast_failed()
                    finally:
                        self.done += len(batch)  # written or counted as lost: flush() must end
                if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                    last_beat = time.monotonic()
                    connected = True
                    await self.loop.run_in_executor(_executor, _heartbeat)
            except asyncio.CancelledError:
                raise
            except Exception:  # the writer never dies: log, count, carry on
                log.exception("recording writer error")
            finally:
                progress, self._progress = self._progress, asyncio.Event()
                progress.set()


def _write_batch(batch: list[ops.Op]) -> store.BatchResult:
    """Never raises: what cannot be written comes back counted as failed."""
    try:
        boot.ensure_swept()
        return store.write_batch(batch)
    except Exception as exc:
        log.exception("recording: a batch failed")
        return store.BatchResult(failed_ops=len(batch), error=f"{type(exc).__name__}: {exc}"[:300])


def _heartbeat() -> None:
    boot.heartbeat()
    try:
        store.forget_stale()
    except Exception:
        log.warning("recording: could not settle stale exchanges", exc_info=True)


def sweep_soon() -> None:
    """At server start: mark the exchanges that dead processes left `streaming` interrupted
    now, in the writer's thread, rather than at this process's first write (a restarted
    worker may get no traffic for a while). Does not wait: a database that is down must not
    hold the server's start."""
    _executor.submit(_sweep_at_start)


def _sweep_at_start() -> None:
    boot.ensure_swept()
    _close_connection()


def _close_connection() -> None:
    # The writer keeps its connection while busy and across the pauses of a tool loop
    # (reconnecting costs more than a batch), and gives it back after IDLE_CLOSE_SECONDS
    # without work, so a restarted PostgreSQL is reconnected to and a test database can be
    # dropped.
    connection.close()


def _writer_for(loop: asyncio.AbstractEventLoop) -> Writer:
    global _writer
    writer = _writer
    if writer is None or writer.loop is not loop or writer.task.done():
        with _writer_lock:
            writer = Writer(loop)
            _writer = writer
    return writer


def submit_chunk(public_id: str, offset_ms: float, raw: bytes) -> None:
    """Hand stream bytes to the writer: buffered per exchange on the loop (the hot path),
    else as an operation of their own."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        chunks = ops.Chunks(public_id)
        chunks.add(offset_ms, raw)
        submit(chunks)
        return
    _writer_for(loop).put_chunk(public_id, offset_ms, raw)


def submit(op: ops.Op) -> None:
    """Hand an operation to the writer (or write it now when there is no loop)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        _writer_for(loop).put(op)
        return
    writer = _writer
    if writer is not None and writer.alive():
        try:
            writer.loop.call_soon_threadsafe(writer.put, op)
            return
        except RuntimeError:  # the loop closed in between
            pass
    write_now([op])


async def flush() -> None:
    """Wait until everything submitted so far is written (tests, graceful shutdown)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    writer = _writer
    if writer is not None and writer.loop is loop:
        await writer.flush()
    elif writer is not None and writer.alive():
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(writer.flush(), writer.loop))


def flush_sync(timeout: float = 30.0) -> None:
    """`flush()` for sync code: waits for a writer running on another thread's loop."""
    writer = _writer
    if writer is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        # Blocking the loop the writer runs on would wait forever.
        raise RuntimeError("flush_sync() called on an event loop: use `await recording.flush()`")
    if writer.alive():
        asyncio.run_coroutine_threadsafe(writer.flush(), writer.loop).result(timeout)
    elif writer.pending:
        write_now(writer.take_all())


@atexit.register
def _drain_at_exit() -> None:
    # The loop is gone at interpreter exit; what is still queued is written directly.
    writer = _writer
    if writer is not None and writer.pending:
        try:
            _count(_write_batch(writer.take_all()))
        except Exception:
            log.exception("recording: could not write the queue at exit")
