"""The database side of recording: turns batches of captured operations into rows.

Policy:

* Runs off the hot path (the writer's thread, or directly for sync callers with no event
  loop). One batch is one transaction; when it fails and the database still answers, each
  exchange's operations are retried in a transaction of their own, so one bad exchange
  never costs the others their data, and what is not written is counted (see
  `writer.health()`). When the database does not answer, the batch's events are lost
  (counted) and its other operations wait for the next batch (`_park`).
* Creating an exchange parses the raw request (once), validates it, moves large media to
  the blob store and keeps the raw bytes (inline when small, as a blob when large).
* Finishing (`finishing.py`) derives everything else: the rebuilt message, outcome, usage,
  cost, tool names, search text, anomalies and the thread, in one update, so a
  reader never sees half of it.
* Known secret values travel with the operations in memory only and are scrubbed from every
  stored text; they are never written.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
from django.db import OperationalError, connection, transaction

from playground.contract import validate
from playground.recording import analyze, finishing, media, ops, threads
from playground.recording.models import Blob, EventRun, Exchange
from playground.recording.redact import scrub_bytes
from playground.recording.tally import Run, StreamTally

log = logging.getLogger(__name__)

# Exchanges created by this process and not finished yet: what the later operations need.
_live: dict[str, dict] = {}
_live_lock = threading.Lock()
# Streams being recorded by this process: their event numbering and rebuilt message.
_tallies: dict[str, StreamTally] = {}
_tally_lock = threading.Lock()
# Operations (all but events) kept while the database is unreachable, for the next batch.
_parked: list = []
_parked_lock = threading.Lock()
MAX_PARKED_OPS = 20_000
MAX_PARKED_BYTES = 64 * 1024 * 1024
MAX_RESPONSE_TEXT = 1024 * 1024
MAX_RESPONSE_RAW = 8 * 1024 * 1024
LOCKED_RETRIES = 3
STALE_AFTER = timedelta(hours=2)  # no stream lasts this long


@dataclasses.dataclass
class BatchResult:
    # public_id -> (first seq, last seq) written in this batch, for live views
    events: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    changed: list[tuple[int | None, str]] = dataclasses.field(default_factory=list)
    written_events: int = 0
    failed_ops: int = 0
    dropped_events: int = 0
    error: str = ""


def _parse_request(raw: bytes, path: str, headers: list) -> tuple[object, list[dict]]:
    body, findings = validate.parse_body(raw)
    if body is None and raw:
        # The API would refuse it (lone surrogates, too deep...), but the inspector still
        # shows what was sent whenever Python can read it.
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = None
        return body, [dataclasses.asdict(f) for f in findings]
    if body is not None and not findings:
        endpoint = "count_tokens" if path.rstrip("/").endswith("count_tokens") else "messages"
        betas = tuple(
            b.strip()
            for name, value in headers
            if name.lower() == "anthropic-beta"
            for b in value.split(",")
            if b.strip()
        )
        try:
            findings = validate.validate_request(body, endpoint=endpoint, betas=betas)
        except Exception:  # a validator bug must never lose the recording
            log.exception("validate_request failed")
            findings = []
    return body, [dataclasses.asdict(f) if dataclasses.is_dataclass(f) else f for f in findings]


def _create_all(creates: list[ops.Create], live: dict, responses: dict[str, ops.Response]) -> list[tuple[int | None, str]]:
    """The exchanges' rows, each with its response's start when that came in the same batch
    (an insert instead of an insert and an update), in one insert.

    One insert for the batch, not one per exchange, for the paced lane's target
    (bench/bench_proxy.py): a burst of calls brings its creations in one batch, and the
    model layer's work per row holds the GIL the event loop needs for the streams' first
    bytes."""
    prepared = [_prepared_row(op, responses.get(op.public_id)) for op in creates]
    blobs = {sha: blob for _row, row_blobs, _state in prepared for sha, blob in row_blobs.items()}
    if blobs:
        _insert_blobs(blobs)
    rows = [row for row, _blobs, _state in prepared]
    if connection.features.can_return_rows_from_bulk_insert:
        Exchange.objects.bulk_create(rows)
    else:  # SQLite before 3.35 cannot tell which ids a multi-row insert made
        for row in rows:
            row.save(force_insert=True)
    changed = []
    for (row, row_blobs, state), op in zip(prepared, creates, strict=True):
        if row_blobs:
            row.blobs.add(*row_blobs)
        state["pk"] = row.pk
        state["row"] = {f: getattr(row, f) for f in finishing.ROW_FIELDS}
        live[op.public_id] = state
        changed.append((row.team_id, row.public_id))
    return changed


def _prepared_row(op: ops.Create, response: ops.Response | None) -> tuple[Exchange, dict, dict]:
    """(the unsaved row, the blobs it references, what later operations need) for a creation:
    the raw request parsed once, validated, its media moved to blobs."""
    secrets = op.secrets
    raw = scrub_bytes(op.raw, secrets) if secrets else op.raw
    body, findings = _parse_request(raw, op.path, op.request_headers)
    stripped, blobs = media.extract_media(body) if body is not None else (None, {})
    facts = analyze.request_facts(body)
    stored_body, changed = analyze.safe_json(stripped)
    anomalies = ["request_body_sanitized"] if changed else []

    raw_sha = ""
    if len(raw) > media.RAW_INLINE_LIMIT:
        raw_sha = media.sha256(raw)
        blobs[raw_sha] = ("application/json", raw)
    row = Exchange(
        public_id=op.public_id,
        team_id=op.team_id,
        user_id=op.user_id,
        proxy_key_name=op.proxy_key_name,
        source=op.source,
        boot_id=op.boot_id,
        method=op.method[:10],
        path=op.path[:500],
        query=op.query[:2000],
        request_headers=op.request_headers,
        request_body=stored_body,
        request_bytes=None if raw_sha else raw,
        request_bytes_sha256=raw_sha,
        request_size=len(op.raw),
        model=facts["model"],
        provider=op.provider[:100],
        stream=facts["stream"],
        started_at=op.started_at,
        findings=analyze.safe_json(findings)[0],
        anomalies=anomalies,
        thread_hint=op.thread_hint[:200],
        **(_response_fields(response) if response is not None else {}),
    )
    state = {
        "team_id": op.team_id,
        "body": stored_body,
        "stream": facts["stream"],
        "model": facts["model"],
        "started_at": op.started_at,
        "secrets": secrets,
        "anomalies": anomalies,
        "status": response.status if response is not None else None,
        "response_body": None,
        "request_bytes_len": 0 if raw_sha else len(raw),
    }
    return row, blobs, state


def _insert_blobs(blobs: dict[str, tuple[str, bytes]]) -> None:
    existing = set(Blob.objects.filter(pk__in=list(blobs)).values_list("pk", flat=True))
    new = {sha: v for sha, v in blobs.items() if sha not in existing}
    if not new:
        return
    if connection.vendor == "postgresql":
        # Django's psycopg cursor binds on the client, turning 20 MB of bytes into 40 MB of
        # hex SQL text (seconds per PDF); a server-binding cursor sends them as binary.
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            for sha, (media_type, data) in new.items():
                cursor.execute(
                    "INSERT INTO recording_blob (sha256, media_type, size, data, created_at) "
                    "VALUES (%s, %s, %s, %b, now()) ON CONFLICT (sha256) DO NOTHING",
                    (sha, media_type, len(data), data),
                )
        return
    Blob.objects.bulk_create(
        [Blob(sha256=sha, media_type=mt, size=len(data), data=data) for sha, (mt, data) in new.items()],
        ignore_conflicts=True,
    )


def forget_stale(max_age: timedelta = STALE_AFTER) -> int:
    """Drop in-process state of exchanges never finished (a caller's bug) and mark them
    `interrupted`, so memory stays bounded and the list shows what happened."""
    cutoff = datetime.now(UTC) - max_age
    with _live_lock:
        stale = [pid for pid, state in _live.items() if state["started_at"] < cutoff]
        for pid in stale:
            _live.pop(pid, None)
    with _tally_lock:
        for pid in stale:
            _tallies.pop(pid, None)
    if stale:
        Exchange.objects.filter(public_id__in=stale, outcome="streaming").update(
            outcome="interrupted", finished_at=datetime.now(UTC)
        )
    return len(stale)


def _state(public_id: str, live: dict) -> dict | None:
    if public_id in live:
        return live[public_id]
    with _live_lock:
        state = _live.get(public_id)
    if state is not None:
        state = dict(state)
        live[public_id] = state
    return state


def make_run(exchange_id: int, first_seq: int, events: list[tuple]) -> EventRun:
    """One row from consecutive events' (offset_ms, name, raw bytes, terminated)."""
    index = [[round(offset, 3), analyze.safe_text(name or "")[:100], len(data)] for offset, name, data, _t in events]
    run = Run(first_seq, b"".join([event[2] for event in events]), index, not events[-1][3])
    return _row(exchange_id, run)


def _row(exchange_id: int, run: Run) -> EventRun:
    return EventRun(
        exchange_id=exchange_id,
        first_seq=run.first_seq,
        end_seq=run.first_seq + len(run.index),
        raw=run.raw,
        index=run.index,
        last_unterminated=run.last_unterminated,
    )


def _run_for(parts: list[ops.Events], state: dict) -> EventRun:
    """One row for a stream's consecutive events read in this batch, known secrets scrubbed
    from their bytes."""
    runs = [part.run for part in parts]
    raw = b"".join([run.raw for run in runs])
    index = [entry for run in runs for entry in run.index]
    secrets = state["secrets"]
    if secrets and any(s.encode("utf-8", "surrogatepass") in raw for s in secrets):
        raw, index = _scrubbed(raw, index, secrets)
    return _row(state["pk"], Run(runs[0].first_seq, raw, index, runs[-1].last_unterminated))


def _scrubbed(raw: bytes, index: list[list], secrets: tuple[str, ...]) -> tuple[bytes, list[list]]:
    """Each event's bytes scrubbed on their own, so the index still cuts them apart."""
    events, pos = [], 0
    for _offset, _name, length in index:
        events.append(scrub_bytes(raw[pos : pos + length], secrets))
        pos += length
    return b"".join(events), [[offset, name, len(event)] for (offset, name, _l), event in zip(index, events, strict=True)]


def _insert_runs(runs: list[EventRun]) -> None:
    EventRun.objects.bulk_create(runs)


def _response_fields(op: ops.Response) -> dict:
    return {
        "status": op.status,
        "response_headers": op.headers,
        "first_byte_ms": op.first_byte_ms,
        "request_id": op.request_id[:200],
    }


def _response(op: ops.Response, state: dict, finishing_now: bool) -> None:
    state["status"] = op.status
    fields = _response_fields(op)
    if finishing_now:
        # The exchange finishes in this batch: its finishing update writes these too.
        state["response_fields"] = fields
        return
    Exchange.objects.filter(pk=state["pk"]).update(**fields)


def _body(op: ops.Body, state: dict) -> None:
    raw = op.raw
    if state["secrets"]:
        raw = scrub_bytes(raw, state["secrets"])
    body = None
    text = ""
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw[:MAX_RESPONSE_TEXT].decode("utf-8", errors="replace")
    body, changed = analyze.safe_json(body)
    if changed:
        state["anomalies"] = state["anomalies"] + ["response_body_sanitized"]
    state["response_body"] = body
    Exchange.objects.filter(pk=state["pk"]).update(
        response_body=body,
        response_text=analyze.safe_text(text),
        response_raw=raw if len(raw) <= MAX_RESPONSE_RAW else None,
    )


Prepared = ops.Create | ops.Response | ops.Body | ops.Finish | ops.Events


def _prepare(batch: list[ops.Op], result: BatchResult) -> list[Prepared]:
    """Stream operations (`Chunks`, `Event`) become the numbered events they complete, and a
    finish gets its stream's tally. Done once per batch, before any transaction, so a batch
    retried after a database failure never counts an event twice. An operation that
    cannot be read is counted as dropped; it never costs the rest of the batch."""
    out: list[Prepared] = []
    with _tally_lock:
        for op in batch:
            try:
                out.extend(_prepared(op))
            except Exception:
                log.exception("recording: could not read a stream operation")
                result.dropped_events += 1
    return out


def _prepared(op: ops.Op) -> list[Prepared]:
    if isinstance(op, ops.Chunks | ops.Event):
        tally = _tallies.get(op.public_id)
        if tally is None:
            tally = _tallies[op.public_id] = StreamTally()
        if isinstance(op, ops.Chunks):
            for raw, offset_ms in zip(op.reads, op.offsets, strict=True):
                tally.add_chunk(offset_ms, raw)
        else:
            tally.add_event(op.offset_ms, op.raw, op.sse)
        run = tally.take_run()
        return [ops.Events(op.public_id, run)] if run is not None else []
    if isinstance(op, ops.Finish):
        tally = _tallies.pop(op.public_id, None)
        run = None
        if tally is not None:
            tally.close()
            run = tally.take_run()
        events = [ops.Events(op.public_id, run)] if run is not None else []
        return [*events, dataclasses.replace(op, tally=tally)]
    return [op]


def _apply(batch: list[Prepared], live: dict, result: BatchResult) -> None:
    # Events wait in `pending` (per exchange, in order) and become one run per exchange
    # when the batch ends, or before the exchange's finish.
    pending: dict[str, list[ops.Events]] = {}
    runs: list[EventRun] = []
    spans: dict[str, tuple[int, int]] = {}
    changed: list[tuple[int | None, str]] = []
    prices = None
    finishing_ids = {op.public_id for op in batch if isinstance(op, ops.Finish)}
    # A stream's start usually comes in the batch that creates its exchange: written with the
    # insert, it saves an update per exchange in the writer, whose time holds the event loop
    # off the GIL (the paced lane of bench/bench_proxy.py starts 100 streams at once).
    responses = {op.public_id: op for op in batch if isinstance(op, ops.Response)}
    creates = [op for op in batch if isinstance(op, ops.Create)]
    created = {op.public_id for op in creates}

    def close_run(public_id: str) -> None:
        parts = pending.pop(public_id, None)
        if not parts:
            return
        run = _run_for(parts, live[public_id])
        runs.append(run)
        first, _last = spans.get(public_id, (run.first_seq, 0))
        spans[public_id] = (first, run.end_seq - 1)

    if creates:
        # Created first: every other operation of an exchange comes after its creation.
        changed.extend(_create_all(creates, live, responses))
    for op in batch:
        if isinstance(op, ops.Events):
            bucket = pending.get(op.public_id)
            if bucket is None:
                if _state(op.public_id, live) is None:
                    result.dropped_events += op.count
                    continue
                bucket = pending[op.public_id] = []
            bucket.append(op)
            continue
        if isinstance(op, ops.Create):
            continue  # written above
        state = _state(op.public_id, live)
        if state is None:
            result.failed_ops += 1
            continue
        if isinstance(op, ops.Response):
            if op.public_id not in created:  # else written with the insert
                _response(op, state, op.public_id in finishing_ids)
        elif isinstance(op, ops.Body):
            _body(op, state)
        elif isinstance(op, ops.Finish):
            close_run(op.public_id)
            if prices is None:
                prices = finishing.load_prices()
            changed.append(finishing.finish(op, state, prices))
            state["finished"] = True
    for public_id in list(pending):
        close_run(public_id)
    if runs:
        _insert_runs(runs)
        result.written_events += sum(run.end_seq - run.first_seq for run in runs)
    result.events.update(spans)
    result.changed.extend(changed)


def _commit_live(live: dict) -> None:
    with _live_lock:
        for public_id, state in live.items():
            if state.get("finished"):
                _live.pop(public_id, None)
            else:
                _live[public_id] = state


def write_batch(batch: list[ops.Op]) -> BatchResult:
    """Write what waited for the database (`parked`), then `batch` (in capture order);
    never raises."""
    with _parked_lock:
        waiting = _parked[:]
        _parked.clear()
    if not batch and not waiting:
        return BatchResult()
    unread = BatchResult()
    result = _write_prepared([*waiting, *_prepare(batch, unread)])
    result.dropped_events += unread.dropped_events
    return result


def parked() -> int:
    """How many operations wait for the database to come back."""
    with _parked_lock:
        return len(_parked)


def _reachable() -> bool:
    """Whether the database answers at all (a batch can also fail for its own data)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        connection.close()
        return False


def _park(batch: list[Prepared], result: BatchResult) -> None:
    """The database is unreachable: the batch's events are lost (and counted); everything
    else waits, in order, for the next batch, so an exchange that started or ended during
    the outage is still written and finished (its message rebuilt from memory) once the
    database is back. What waits is bounded; past that the oldest is dropped and counted."""
    events = sum(op.count for op in batch if isinstance(op, ops.Events))
    result.dropped_events += events
    keep = [op for op in batch if not isinstance(op, ops.Events)]
    log.warning("recording: the database is unreachable; %d operations wait for it, %d events lost",
                len(keep), events)
    with _parked_lock:
        _parked[:0] = keep  # older than anything parked meanwhile
        size = 0
        cut = len(_parked)
        for i in range(len(_parked) - 1, -1, -1):  # the newest are kept
            size += _parked[i].size if isinstance(_parked[i], ops.Create | ops.Body) else 0
            if len(_parked) - i > MAX_PARKED_OPS or size > MAX_PARKED_BYTES:
                break
            cut = i
        dropped = _parked[:cut]
        del _parked[:cut]
    result.failed_ops += len(dropped)
    with _live_lock:  # what can never finish must not hold its state forever
        for op in dropped:
            if isinstance(op, ops.Finish):
                _live.pop(op.public_id, None)


@contextmanager
def _transaction(batch: list[Prepared]) -> Iterator[None]:
    """The transaction one batch (or one exchange's part of it) is written in. When it
    finishes exchanges, and is the recorder's own (not inside a caller's), the thread lock
    is its first statement (see threads.py), held until it commits."""
    own = not connection.in_atomic_block
    with transaction.atomic():
        if own and any(isinstance(op, ops.Finish) for op in batch):
            threads.lock_assignment()
        yield


def _write_prepared(batch: list[Prepared]) -> BatchResult:
    result = BatchResult()
    for attempt in range(LOCKED_RETRIES + 1):
        live: dict = {}
        try:
            with _transaction(batch):
                _apply(batch, live, result)
            _commit_live(live)
            return result
        except OperationalError as exc:
            # SQLite's shared-cache databases (the test suite's) answer "table is locked"
            # at once instead of waiting: give the reader a moment, then try again.
            result = BatchResult()
            if "locked" in str(exc) and attempt < LOCKED_RETRIES:
                time.sleep(0.05 * (attempt + 1))
                continue
            error = exc
            break
        except Exception as exc:
            error = exc
            break
    result = BatchResult(error=f"{type(error).__name__}: {str(error)[:300]}")
    if not connection.in_atomic_block:
        connection.close()  # a broken connection (server restarted) is reopened
        if not _reachable():
            _park(batch, result)
            return result
    # The database answers: try each exchange on its own, so one bad exchange never costs
    # the others their data.
    log.warning("recording batch failed, retrying per exchange: %s", type(error).__name__)
    groups: dict[str, list[Prepared]] = {}
    for op in batch:
        groups.setdefault(op.public_id, []).append(op)
    for public_id, group in groups.items():
        live = {}
        try:
            with _transaction(group):
                _apply(group, live, result)
            _commit_live(live)
        except Exception as exc:
            log.warning("recording of %s failed: %s", public_id, type(exc).__name__)
            result.error = f"{type(exc).__name__}: {str(exc)[:300]}"
            events = sum(op.count for op in group if isinstance(op, ops.Events))
            result.dropped_events += events
            rest = [op for op in group if not isinstance(op, ops.Events)]
            # Without its events the exchange can still be created and finished (the
            # message is rebuilt from memory), so it never stays `streaming` forever.
            if events and rest and _retry_without_events(rest, result):
                result.failed_ops += events
                continue
            result.failed_ops += events + len(rest)
            with _live_lock:  # a finish that failed must not leak its state forever
                if any(isinstance(op, ops.Finish) for op in rest):
                    _live.pop(public_id, None)
    return result


def _retry_without_events(batch: list[Prepared], result: BatchResult) -> bool:
    live: dict = {}
    try:
        with _transaction(batch):
            _apply(batch, live, result)
    except Exception:
        return False
    _commit_live(live)
    return True
