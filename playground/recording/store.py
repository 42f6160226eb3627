"""The database side of recording: turns batches of captured operations into rows.

Policy:

* Runs off the hot path (the writer's thread, or directly for sync callers with no event
  loop). One batch is one transaction; when it fails, each exchange's operations are
  retried in a transaction of their own, so one bad exchange never costs the others their
  data, and what is not written is counted (see `writer.health()`).
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
import functools
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from django.db import OperationalError, connection, transaction

from playground.recording import analyze, finishing, media
from playground.recording.models import Blob, EventRun, Exchange
from playground.recording.redact import scrub_bytes
from playground.recording.tally import StreamTally

log = logging.getLogger(__name__)

# Exchanges created by this process and not finished yet: what the later operations need.
_live: dict[str, dict] = {}
_live_lock = threading.Lock()
# Streams being recorded by this process: their event numbering and rebuilt message.
_tallies: dict[str, StreamTally] = {}
_tally_lock = threading.Lock()
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
    try:
        from playground.contract import validate
    except ImportError:  # the validator not installed: parse only
        try:
            return json.loads(raw), []
        except ValueError as exc:
            return None, [{"path": "", "message": f"invalid JSON: {exc}", "severity": "error"}]
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


def _create(op: dict, live: dict) -> tuple[int | None, str]:
    secrets = op.get("secrets", ())
    raw = scrub_bytes(op["raw"], secrets) if secrets else op["raw"]
    body, findings = _parse_request(raw, op["path"], op["request_headers"])
    stripped, blobs = media.extract_media(body) if body is not None else (None, {})
    facts = analyze.request_facts(body)
    stored_body, changed = analyze.safe_json(stripped)
    anomalies = ["request_body_sanitized"] if changed else []

    raw_sha = ""
    if len(raw) > media.RAW_INLINE_LIMIT:
        raw_sha = media.sha256(raw)
        blobs[raw_sha] = ("application/json", raw)
    if blobs:
        _insert_blobs(blobs)
    exchange = Exchange.objects.create(
        public_id=op["public_id"],
        team_id=op.get("team_id"),
        user_id=op.get("user_id"),
        proxy_key_name=op.get("proxy_key_name") or "",
        source=op["source"],
        boot_id=op.get("boot_id", ""),
        method=op["method"][:10],
        path=op["path"][:500],
        query=op.get("query", "")[:2000],
        request_headers=op["request_headers"],
        request_body=stored_body,
        request_bytes=None if raw_sha else raw,
        request_bytes_sha256=raw_sha,
        request_size=len(op["raw"]),
        model=facts["model"],
        provider=(op.get("provider") or "")[:100],
        stream=facts["stream"],
        started_at=op["started_at"],
        findings=analyze.safe_json(findings)[0],
        anomalies=anomalies,
        thread_hint=(op.get("thread_hint") or "")[:200],
    )
    if blobs:
        exchange.blobs.add(*blobs)
    live[op["public_id"]] = {
        "pk": exchange.pk,
        "team_id": exchange.team_id,
        "body": stored_body,
        "stream": facts["stream"],
        "model": facts["model"],
        "started_at": op["started_at"],
        "secrets": secrets,
        "anomalies": anomalies,
        "status": None,
        "response_body": None,
        "request_bytes_len": 0 if raw_sha else len(raw),
        # What finishing reads of the row, so it need not read it back.
        "row": {f: getattr(exchange, f) for f in finishing.ROW_FIELDS},
    }
    return exchange.team_id, exchange.public_id


def _insert_blobs(blobs: dict[str, tuple[str, bytes]]) -> None:
    existing = set(Blob.objects.filter(pk__in=list(blobs)).values_list("pk", flat=True))
    new = {sha: v for sha, v in blobs.items() if sha not in existing}
    if not new:
        return
    if connection.vendor == "postgresql":
        # Django's psycopg cursor binds on the client, turning 20 MB of bytes into 40 MB of
        # hex SQL text (seconds per PDF); a server-binding cursor sends them as binary.
        import psycopg

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


def make_run(
    exchange_id: int, first_seq: int, events: list[tuple], raw: bytes | None = None
) -> EventRun:
    """One run from consecutive events' (offset_ms, name, raw bytes, terminated); `raw`, when
    the caller has it, is their bytes already joined."""
    return _run(exchange_id, first_seq, events, 0, raw)


def _run(exchange_id: int, first_seq: int, rows: list[tuple], at: int, raw: bytes | None) -> EventRun:
    """A run from rows holding offset_ms, name, raw bytes and terminated from position `at`
    (events for `make_run`, the tally's facts for `_run_for`)."""
    return EventRun(
        exchange_id=exchange_id,
        first_seq=first_seq,
        end_seq=first_seq + len(rows),
        raw=b"".join([row[at + 2] for row in rows]) if raw is None else raw,
        index=_index(rows, at),
        last_unterminated=not rows[-1][at + 3],
    )


_UNSET = object()


def _index(rows: list[tuple], at: int) -> list[list]:
    """A run's index, [offset_ms, name, size] per event. The events of one read share their
    offset and a stream uses a handful of names, so each is rounded or cleaned once per
    change."""
    index = []
    last_offset = last_name = _UNSET
    for row in rows:
        offset, name = row[at], row[at + 1]
        if offset != last_offset:
            last_offset, rounded = offset, round(offset, 3)
        if name != last_name:
            last_name, cleaned = name, _name(name)
        index.append([rounded, cleaned, len(row[at + 2])])
    return index


@functools.lru_cache(maxsize=256)
def _name(name: str) -> str:
    # A stream uses a handful of event names: each is cleaned once.
    return analyze.safe_text(name or "")[:100]


def _run_for(facts: list[tuple], state: dict) -> EventRun:
    # fact: (seq, offset_ms, name, raw, terminated, utf8_error), from tally.py
    joined = b"".join([fact[3] for fact in facts])
    secrets = state["secrets"]
    if secrets and any(s.encode("utf-8", "surrogatepass") in joined for s in secrets):
        facts = [(f[0], f[1], f[2], scrub_bytes(f[3], secrets), f[4], f[5]) for f in facts]
        joined = b"".join([fact[3] for fact in facts])
    return _run(state["pk"], facts[0][0], facts, 1, joined)


def _insert_runs(runs: list[EventRun]) -> None:
    EventRun.objects.bulk_create(runs)


def _response(op: dict, state: dict, finishing_now: bool) -> None:
    state["status"] = op["status"]
    fields = {
        "status": op["status"],
        "response_headers": op["headers"],
        "first_byte_ms": op["first_byte_ms"],
        "request_id": op.get("request_id", "")[:200],
    }
    if finishing_now:
        # The exchange finishes in this batch: its finishing update writes these too.
        state["response_fields"] = fields
        return
    Exchange.objects.filter(pk=state["pk"]).update(**fields)


def _body(op: dict, state: dict) -> None:
    raw = op["raw"]
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


def _prepare(ops: list, result: BatchResult) -> list:
    """Stream operations (`chunk`, `sse`) become the facts of numbered event rows, and a
    finish gets its stream's tally. Done once per batch, before any transaction, so a batch
    retried after a database failure never counts an event twice. An operation that
    cannot be read is counted as dropped; it never costs the rest of the batch."""
    out: list = []
    with _tally_lock:
        for op in ops:
            try:
                out.extend(_prepared(op))
            except Exception:
                log.exception("recording: could not read a stream operation")
                result.dropped_events += 1
    return out


def _prepared(op) -> list:
    if isinstance(op, tuple):
        kind, public_id = op[0], op[1]
        tally = _tallies.get(public_id)
        if tally is None:
            tally = _tallies[public_id] = StreamTally()
        if kind == "chunks":  # (..., the reads, each read's offset)
            facts = []
            for raw, offset_ms in zip(op[2], op[3], strict=True):
                facts.extend(tally.add_chunk(offset_ms, raw))
        elif kind == "chunk":
            facts = tally.add_chunk(op[2], op[3])
        else:  # "sse": an event the caller parsed
            facts = [tally.add_event(op[2], op[3], op[4])]
        # One operation for all the events an operation completed: ("events", id, facts).
        return [("events", public_id, facts)] if facts else []
    if op.get("op") == "finish":
        tally = _tallies.pop(op["public_id"], None)
        tail = tally.close() if tally is not None else []
        events = [("events", op["public_id"], tail)] if tail else []
        return [*events, {**op, "tally": tally}]
    return [op]


def _apply(ops: list, live: dict, result: BatchResult) -> None:
    # Events wait in `pending` (per exchange, in order) and become one run per exchange
    # when the batch ends, or before the exchange's finish.
    pending: dict[str, list[tuple]] = {}
    runs: list[EventRun] = []
    spans: dict[str, tuple[int, int]] = {}
    changed: list[tuple[int | None, str]] = []
    prices = None
    finishing_ids = {op["public_id"] for op in ops if not isinstance(op, tuple) and op["op"] == "finish"}

    def close_run(public_id: str) -> None:
        facts = pending.pop(public_id, None)
        if not facts:
            return
        runs.append(_run_for(facts, live[public_id]))
        first, _last = spans.get(public_id, (facts[0][0], 0))
        spans[public_id] = (first, facts[-1][0])

    for op in ops:
        if isinstance(op, tuple):  # ("events", public_id, facts): the common case
            bucket = pending.get(op[1])
            if bucket is None:
                if _state(op[1], live) is None:
                    result.dropped_events += len(op[2])
                    continue
                bucket = pending[op[1]] = []
            bucket.extend(op[2])
            continue
        kind = op["op"]
        if kind == "create":
            changed.append(_create(op, live))
            continue
        state = _state(op["public_id"], live)
        if state is None:
            result.failed_ops += 1
            continue
        if kind == "response":
            _response(op, state, op["public_id"] in finishing_ids)
        elif kind == "body":
            _body(op, state)
        elif kind == "finish":
            close_run(op["public_id"])
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


def _key(op: object) -> str:
    return op[1] if isinstance(op, tuple) else op["public_id"]


def _commit_live(live: dict) -> None:
    with _live_lock:
        for public_id, state in live.items():
            if state.get("finished"):
                _live.pop(public_id, None)
            else:
                _live[public_id] = state


def write_batch(ops: list) -> BatchResult:
    """Write `ops` (in capture order); never raises."""
    if not ops:
        return BatchResult()
    unread = BatchResult()
    result = _write_prepared(_prepare(ops, unread))
    result.dropped_events += unread.dropped_events
    return result


def _write_prepared(ops: list) -> BatchResult:
    result = BatchResult()
    for attempt in range(LOCKED_RETRIES + 1):
        live: dict = {}
        try:
            with transaction.atomic():
                _apply(ops, live, result)
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
    # The database failed: try each exchange on its own.
    log.warning("recording batch failed, retrying per exchange: %s", type(error).__name__)
    result = BatchResult(error=f"{type(error).__name__}: {str(error)[:300]}")
    if not connection.in_atomic_block:
        connection.close()  # a broken connection (server restarted) is reopened
    groups: dict[str, list] = {}
    for op in ops:
        groups.setdefault(_key(op), []).append(op)
    for public_id, group in groups.items():
        live = {}
        try:
            with transaction.atomic():
                _apply(group, live, result)
            _commit_live(live)
        except Exception as exc:
            log.warning("recording of %s failed: %s", public_id, type(exc).__name__)
            result.error = f"{type(exc).__name__}: {str(exc)[:300]}"
            events = sum(len(op[2]) for op in group if isinstance(op, tuple))
            result.dropped_events += events
            rest = [op for op in group if not isinstance(op, tuple)]
            # Without its events the exchange can still be created and finished (the
            # message is rebuilt from memory), so it never stays `streaming` forever.
            if events and rest and _retry_without_events(rest, result):
                result.failed_ops += events
                continue
            result.failed_ops += events + len(rest)
            with _live_lock:  # a finish that failed must not leak its state forever
                if any(op["op"] == "finish" for op in rest):
                    _live.pop(public_id, None)
    return result


def _retry_without_events(ops: list, result: BatchResult) -> bool:
    live: dict = {}
    try:
        with transaction.atomic():
            _apply(ops, live, result)
    except Exception:
        return False
    _commit_live(live)
    return True
