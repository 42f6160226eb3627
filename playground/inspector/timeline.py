"""The SSE timeline of an exchange: paged events, flags, and stream statistics.

Policy for big streams: a page never loads more than `PAGE_SIZE` events with their raw
text; the statistics and the tokens-over-time chart read three narrow columns (offset,
event name, raw length) for all events, computed in the database, so a 100,000-event
stream costs one light query. Tokens over time are estimated from the size of each delta
and scaled so the last point equals the recorded `output_tokens`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db.models.functions import Length

from playground.recording.models import Exchange, ExchangeEvent

PAGE_SIZE = 200
GAP_MIN_MS = 1000.0  # a pause shorter than this is never called a gap
GAP_FACTOR = 10.0  # ... and it must be this many times the median spacing
DELTA_EVENTS = frozenset({"content_block_delta"})


@dataclass
class TimelineStats:
    count: int = 0
    first_token_ms: float | None = None
    last_ms: float | None = None
    tokens_per_second: float | None = None
    median_gap_ms: float = 0.0
    gaps: list[tuple[int, float]] = field(default_factory=list)  # (seq, ms since previous)
    points: list[tuple[float, float]] = field(default_factory=list)  # (seconds, tokens)
    names: dict[str, int] = field(default_factory=dict)


@dataclass
class EventRow:
    seq: int
    offset_ms: float
    since_prev_ms: float
    event: str
    data: str
    flags: list[str]


def stats_for(exchange: Exchange) -> TimelineStats:
    rows = (
        ExchangeEvent.objects.filter(exchange=exchange)
        .order_by("seq")
        .annotate(size=Length("raw"))
        .values_list("seq", "offset_ms", "event", "size")
    )
    stats = TimelineStats()
    offsets: list[float] = []
    weights: list[tuple[float, int]] = []
    prev = None
    spacings: list[float] = []
    seqs: list[int] = []
    for seq, offset, name, size in rows.iterator(chunk_size=5000):
        stats.count += 1
        stats.names[name] = stats.names.get(name, 0) + 1
        offsets.append(offset)
        seqs.append(seq)
        if prev is not None:
            spacings.append(offset - prev)
        prev = offset
        if name in DELTA_EVENTS:
            if stats.first_token_ms is None:
                stats.first_token_ms = offset
            weights.append((offset, size or 0))
    if not stats.count:
        return stats
    stats.last_ms = offsets[-1]
    if spacings:
        ordered = sorted(spacings)
        stats.median_gap_ms = ordered[len(ordered) // 2]
        threshold = max(GAP_MIN_MS, stats.median_gap_ms * GAP_FACTOR)
        stats.gaps = [(seqs[i + 1], s) for i, s in enumerate(spacings) if s >= threshold]
    output = exchange.output_tokens or 0
    if exchange.first_token_ms is not None:
        stats.first_token_ms = exchange.first_token_ms
    total_weight = sum(w for _, w in weights) or 1
    running = 0
    for offset, w in weights:
        running += w
        stats.points.append((offset / 1000.0, output * running / total_weight if output else running))
    if output and stats.first_token_ms is not None and stats.last_ms > stats.first_token_ms:
        stats.tokens_per_second = output / ((stats.last_ms - stats.first_token_ms) / 1000.0)
    return stats


def _flags(event: ExchangeEvent, data: str, after_stop: bool) -> list[str]:
    flags = []
    if event.non_utf8:
        flags.append("non-UTF-8 bytes")
    if not event.terminated:
        flags.append("unterminated")
    if after_stop:
        flags.append("after message_stop")
    if data:
        try:
            json.loads(data)
        except ValueError:
            flags.append("invalid JSON")
    return flags


def page_of_events(exchange: Exchange, page: int, gaps: set[int]) -> tuple[list[EventRow], int]:
    """One page of events (1-based page number) and the number of pages."""
    total = exchange.events.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    stop_seq = (
        exchange.events.filter(event="message_stop").order_by("seq").values_list("seq", flat=True).first()
    )
    events = list(exchange.events.filter(seq__gte=start - 1, seq__lt=start + PAGE_SIZE).order_by("seq"))
    rows: list[EventRow] = []
    prev_offset = None
    for ev in events:
        if ev.seq < start:
            prev_offset = ev.offset_ms
            continue
        data = ev.data
        after_stop = stop_seq is not None and ev.seq > stop_seq
        since = ev.offset_ms - prev_offset if prev_offset is not None else ev.offset_ms
        prev_offset = ev.offset_ms
        rows.append(EventRow(ev.seq, ev.offset_ms, since, ev.event, data, _flags(ev, data, after_stop)))
    for row in rows:
        if row.seq in gaps:
            row.flags.append("gap")
    return rows, pages
