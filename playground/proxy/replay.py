"""Replay mode (cassettes): answering a call from a recorded exchange of the same team.

Matching: a request matches a recorded exchange when the path is the same and the bodies
are equal after normalization: `metadata` (per-user ids) is dropped, large media become the
recorder's content references, and key order is ignored. `stream` stays significant (a
stream is answered with events, a plain call with a JSON body). Only exchanges that got an
answer from upstream qualify (proxy and playground sources; not replays, not rejected or
cancelled calls); the most recent match wins.

Answer: the recorded status, headers and, for streams, each event's bytes exactly as
recorded, either at the recorded offsets (timing "original") or back to back ("fast").
A non-streaming body is served as recorded JSON (compact). Replayed answers are
recorded with source `replay`.

Unmatched: an `not_found_error` naming the nearest recorded request (same path, fewest
differing values) and the first difference, or, when the key says so, a normal relay.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from channels.db import database_sync_to_async

from playground.contract.sse import parse_all
from playground.proxy import routes
from playground.proxy.call import Call
from playground.proxy.relay import STREAM_HEADERS
from playground.proxy.wire import response_headers, send_error
from playground.recording.events import iter_events
from playground.recording.media import extract_media
from playground.recording.models import Exchange

CANDIDATES = 500  # most recent exchanges considered per call
USABLE_OUTCOMES = ("completed", "upstream_error", "error_mid_stream", "incomplete", "timeout")
VOLATILE_FIELDS = ("metadata",)


def normalize(body: object) -> object:
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in VOLATILE_FIELDS}
    normalized, _blobs = extract_media(body)
    return normalized


def canonical(body: object) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def first_difference(sent: object, recorded: object, path: str = "") -> tuple[str, object, object] | None:
    """The first (path, sent value, recorded value) where two JSON values differ."""
    if isinstance(sent, dict) and isinstance(recorded, dict):
        for key in sorted(set(sent) | set(recorded)):
            sub = f"{path}.{key}" if path else key
            if key not in sent:
                return sub, "(absent)", recorded[key]
            if key not in recorded:
                return sub, sent[key], "(absent)"
            found = first_difference(sent[key], recorded[key], sub)
            if found:
                return found
        return None
    if isinstance(sent, list) and isinstance(recorded, list):
        for i, (a, b) in enumerate(zip(sent, recorded, strict=False)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(sent) != len(recorded):
            i = min(len(sent), len(recorded))
            return (
                f"{path}[{i}]",
                sent[i] if i < len(sent) else "(absent)",
                recorded[i] if i < len(recorded) else "(absent)",
            )
        return None
    if sent == recorded and type(sent) is type(recorded):
        return None
    return path or "(body)", sent, recorded


def distance(a: object, b: object, budget: int = 10_000) -> int:
    """How many values differ (capped): the nearest recording has the fewest."""
    if isinstance(a, dict) and isinstance(b, dict):
        total = 0
        for key in set(a) | set(b):
            total += distance(a.get(key), b.get(key), budget - total) if key in a and key in b else 1
            if total >= budget:
                return budget
        return total
    if isinstance(a, list) and isinstance(b, list):
        total = abs(len(a) - len(b))
        for x, y in zip(a, b, strict=False):
            total += distance(x, y, budget - total)
            if total >= budget:
                return budget
        return total
    return 0 if a == b and type(a) is type(b) else 1


@dataclass
class Recorded:
    id: int
    public_id: str
    body: object
    stream: bool


@dataclass
class Tape:
    public_id: str
    status: int
    headers: list
    events: list[tuple[bytes, float]]  # (raw bytes, offset ms)
    body: bytes | None


def _candidates_sync(team_id: int, path: str) -> list[Recorded]:
    rows = (
        Exchange.objects.filter(team_id=team_id, path=path, source__in=["proxy", "playground"])
        .filter(outcome__in=USABLE_OUTCOMES, status__isnull=False, request_body__isnull=False)
        .order_by("-started_at", "-id")
        .values_list("id", "public_id", "request_body", "stream")[:CANDIDATES]
    )
    return [Recorded(*row) for row in rows]


def _tape_sync(exchange_id: int) -> Tape:
    ex = Exchange.objects.get(pk=exchange_id)
    events = [(e.raw_bytes, e.offset_ms) for e in iter_events(ex)]
    body = None
    if not events:
        if ex.response_raw is not None:
            body = bytes(ex.response_raw)
        elif ex.response_body is not None:
            body = json.dumps(ex.response_body, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            body = ex.response_text.encode("utf-8")
    return Tape(ex.public_id, ex.status, list(ex.response_headers), events, body)


_candidates = database_sync_to_async(_candidates_sync)
_tape = database_sync_to_async(_tape_sync)


def find(sent: object, stream: bool, candidates: list[Recorded]) -> tuple[Recorded | None, Recorded | None]:
    """(exact match, nearest candidate)."""
    want = canonical(sent)
    nearest, best = None, None
    for cand in candidates:
        if cand.stream == stream and canonical(normalize(cand.body)) == want:
            return cand, cand
        score = distance(sent, normalize(cand.body)) + (0 if cand.stream == stream else 1)
        if best is None or score < best:
            nearest, best = cand, score
    return None, nearest


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def unmatched_message(sent: object, nearest: Recorded | None) -> str:
    if nearest is None:
        return "Replay mode: no recorded exchange of this team has this path yet; record one first."
    diff = first_difference(sent, normalize(nearest.body))
    if diff is None:
        where = "the stream flag differs (stream: true vs not)"
    else:
        path, got, had = diff
        where = f"first difference at {path}: sent {_short(got)}, recorded {_short(had)}"
    return (
        "Replay mode: no recorded exchange matches this request. "
        f"Nearest: exchange {nearest.public_id} (/exchanges/{nearest.public_id}/); {where}."
    )


async def answer(call: Call, provider, send) -> bool:
    """Answers from a recording; False when unmatched and the key passes those through."""
    sent = normalize(call.parsed)
    match, nearest = find(sent, call.stream, await _candidates(call.key.team_id, call.path))
    if match is None:
        if call.key.replay_unmatched == "passthrough":
            return False
        await send_error(send, "not_found_error", unmatched_message(sent, nearest), call.request_id)
        return True
    tape = await _tape(match.id)
    rec = routes.start_recording(call, provider, source="replay", required=False)
    rec.response_started(tape.status, tape.headers)
    headers = response_headers(tape.headers)
    try:
        if tape.events:
            await _play_stream(call, tape, rec, headers, send)
        else:
            headers.append((b"content-length", str(len(tape.body)).encode()))
            await send({"type": "http.response.start", "status": tape.status, "headers": headers})
            await send({"type": "http.response.body", "body": tape.body})
            rec.body(tape.body)
            rec.finish()
    except asyncio.CancelledError:
        rec.finish(outcome="client_cancelled")
        raise
    return True


async def _play_stream(call: Call, tape: Tape, rec, headers: list, send) -> None:
    await send(
        {"type": "http.response.start", "status": tape.status, "headers": [*headers, *STREAM_HEADERS]}
    )
    original = call.key.replay_timing == "original"
    start = time.monotonic()
    for raw, offset_ms in tape.events:
        if original:
            delay = start + offset_ms / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": raw, "more_body": True})
        parsed = parse_all(raw)
        if parsed:
            rec.event(raw, time.monotonic(), parsed[0])
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    rec.finish()

