"""Export and import of recordings as JSON Lines (schema in docs/recording.md).

Policy:

* One JSON object per line. `{"kind": "blob", ...}` lines (media and large raw requests,
  base64) come before the first exchange that references them, each blob once per file;
  `{"kind": "exchange", ...}` lines carry the row, its events and its thread.
* Nothing secret is exported: credential headers were redacted at capture, known key values
  scrubbed; proxy keys and provider keys live in other tables and are never read here.
* Import is idempotent: an exchange whose `public_id` exists is skipped. Teams are matched
  by name (created when missing) unless `team` is given; users by username, else none.
  Threads are matched by `public_id`; parents are linked after all lines are read.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from playground.recording import events as recorded
from playground.recording.models import Blob, EventRun, Exchange, Thread
from playground.recording.store import make_run
from playground.teams.models import Team
from playground.teams.ops import ensure_team

SCHEMA_VERSION = 1
_PLAIN_FIELDS = (
    "public_id",
    "proxy_key_name",
    "source",
    "method",
    "path",
    "query",
    "request_headers",
    "request_body",
    "request_bytes_sha256",
    "request_size",
    "model",
    "provider",
    "stream",
    "status",
    "response_headers",
    "response_body",
    "response_text",
    "message",
    "stop_reason",
    "outcome",
    "error_type",
    "error_message",
    "request_id",
    "event_count",
    "stored_bytes",
    "input_tokens",
    "output_tokens",
    "cache_creation_5m",
    "cache_creation_1h",
    "cache_read",
    "server_tool_use",
    "first_byte_ms",
    "first_token_ms",
    "duration_ms",
    "findings",
    "anomalies",
    "tool_names",
    "search_text",
    "step",
    "branch",
    "thread_hint",
    "prefix_hash",
    "reply_hash",
)
_TIME_FIELDS = ("started_at", "finished_at")
RUN_SIZE = 1000  # events per stored run on import


def _b64(data: bytes | memoryview | None) -> str | None:
    return None if data is None else base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def exchange_line(exchange: Exchange) -> dict:
    line: dict = {"kind": "exchange", "version": SCHEMA_VERSION}
    for field in _PLAIN_FIELDS:
        line[field] = getattr(exchange, field)
    for field in _TIME_FIELDS:
        value = getattr(exchange, field)
        line[field] = value.isoformat() if value else None
    line["cost_usd"] = str(exchange.cost_usd) if exchange.cost_usd is not None else None
    line["request_bytes_base64"] = _b64(exchange.request_bytes)
    # The raw non-streaming answer, so replays from an imported recording stay exact.
    line["response_raw_base64"] = _b64(exchange.response_raw)
    line["team"] = exchange.team.name if exchange.team_id else None
    line["user"] = exchange.user.get_username() if exchange.user_id else None
    line["thread"] = (
        {
            "public_id": exchange.thread.public_id,
            "hint": exchange.thread.hint,
            "title": exchange.thread.title,
            "started_at": exchange.thread.started_at.isoformat(),
        }
        if exchange.thread_id
        else None
    )
    line["parent"] = exchange.parent.public_id if exchange.parent_id else None
    line["retry_of"] = exchange.retry_of.public_id if exchange.retry_of_id else None
    line["blobs"] = sorted(exchange.blobs.values_list("sha256", flat=True))
    line["events"] = [
        {
            "seq": e.seq,
            "offset_ms": e.offset_ms,
            "event": e.event,
            "raw": e.raw,
            # The exact bytes only where the text cannot hold them.
            "raw_bytes_base64": _b64(e.raw_bytes) if e.raw.encode("utf-8") != e.raw_bytes else None,
            "non_utf8": e.non_utf8,
            "terminated": e.terminated,
        }
        for e in recorded.iter_events(exchange)
    ]
    return line


def _import_events(exchange: Exchange, events: list[dict]) -> None:
    """Runs of consecutive seqs, each event keeping the seq it was exported with."""
    runs, batch, first = [], [], 0
    for e in sorted(events, key=lambda e: e["seq"]):
        if batch and (e["seq"] != first + len(batch) or len(batch) == RUN_SIZE):
            runs.append(make_run(exchange.pk, first, batch))
            batch = []
        if not batch:
            first = e["seq"]
        raw = _unb64(e.get("raw_bytes_base64")) or e["raw"].encode("utf-8")
        batch.append((e["offset_ms"], e.get("event") or "", raw, e.get("terminated", True)))
    if batch:
        runs.append(make_run(exchange.pk, first, batch))
    EventRun.objects.bulk_create(runs, batch_size=50)


def export_lines(exchanges: Iterable[Exchange], media: bool = True) -> Iterator[str]:
    """JSON Lines for `exchanges` (each line ends with a newline)."""
    sent: set[str] = set()
    for exchange in exchanges:
        line = exchange_line(exchange)
        if media:
            for sha in line["blobs"]:
                if sha in sent:
                    continue
                blob = Blob.objects.filter(sha256=sha).first()
                if blob is None:
                    continue
                sent.add(sha)
                yield json.dumps(
                    {
                        "kind": "blob",
                        "version": SCHEMA_VERSION,
                        "sha256": blob.sha256,
                        "media_type": blob.media_type,
                        "size": blob.size,
                        "data_base64": _b64(blob.data),
                    }
                ) + "\n"
        yield json.dumps(line, ensure_ascii=False) + "\n"


def export_queryset(
    since: datetime | None = None, source: str | None = None, team: Team | None = None
):
    qs = Exchange.objects.exclude(outcome="streaming").select_related(
        "team", "user", "thread", "parent", "retry_of"
    )
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    if source:
        qs = qs.filter(source=source)
    if team is not None:
        qs = qs.for_team(team)
    return qs.order_by("started_at", "id").iterator(chunk_size=200)


class ImportStats:
    def __init__(self) -> None:
        self.exchanges = 0
        self.skipped = 0
        self.blobs = 0


def _thread_for(data: dict | None, team: Team | None, cache: dict) -> Thread | None:
    if not data:
        return None
    public_id = data["public_id"]
    if public_id not in cache:
        thread = Thread.objects.filter(public_id=public_id).first()
        if thread is None:
            started = datetime.fromisoformat(data["started_at"])
            thread = Thread.objects.create(
                public_id=public_id,
                team=team,
                hint=data.get("hint", ""),
                title=data.get("title", ""),
                started_at=started,
                last_at=started,
            )
        cache[public_id] = thread
    return cache[public_id]


@transaction.atomic
def import_lines(lines: Iterable[str], team: Team | None = None) -> ImportStats:
    """Read JSON Lines written by `export_lines`; raises ValueError on a malformed line."""

    stats = ImportStats()
    users = get_user_model()
    threads: dict[str, Thread] = {}
    links: list[tuple[Exchange, str | None, str | None]] = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            kind = line["kind"]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"line {number}: not an export line") from None
        if kind == "blob":
            if not Blob.objects.filter(sha256=line["sha256"]).exists():
                data = _unb64(line["data_base64"]) or b""
                Blob.objects.create(
                    sha256=line["sha256"], media_type=line["media_type"], size=len(data), data=data
                )
                stats.blobs += 1
            continue
        if kind != "exchange":
            raise ValueError(f"line {number}: unknown kind {kind!r}")
        if Exchange.objects.filter(public_id=line["public_id"]).exists():
            stats.skipped += 1
            continue
        owner = team or (ensure_team(line["team"]) if line.get("team") else None)
        user = users.objects.filter(username=line["user"]).first() if line.get("user") else None
        fields = {f: line[f] for f in _PLAIN_FIELDS if f in line}
        for f in _TIME_FIELDS:
            fields[f] = datetime.fromisoformat(line[f]) if line.get(f) else None
        exchange = Exchange.objects.create(
            **fields,
            team=owner,
            user=user,
            request_bytes=_unb64(line.get("request_bytes_base64")),
            response_raw=_unb64(line.get("response_raw_base64")),
            cost_usd=Decimal(line["cost_usd"]) if line.get("cost_usd") else None,
            thread=_thread_for(line.get("thread"), owner, threads),
        )
        shas = list(Blob.objects.filter(sha256__in=line.get("blobs", [])).values_list("pk", flat=True))
        if shas:
            exchange.blobs.add(*shas)
        _import_events(exchange, line.get("events", []))
        links.append((exchange, line.get("parent"), line.get("retry_of")))
        stats.exchanges += 1
    for exchange, parent, retry_of in links:
        pairs = Exchange.objects.filter(public_id__in=[parent, retry_of]).values_list("public_id", "id")
        ids = dict(pairs)
        if ids:
            Exchange.objects.filter(pk=exchange.pk).update(
                parent_id=ids.get(parent), retry_of_id=ids.get(retry_of)
            )
    for thread in threads.values():
        exchanges = Exchange.objects.filter(thread=thread)
        last = exchanges.order_by("-started_at").values_list("started_at", flat=True).first()
        Thread.objects.filter(pk=thread.pk).update(
            exchange_count=exchanges.count(), last_at=last or thread.last_at
        )
    return stats
