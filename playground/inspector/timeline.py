"""The SSE timeline of an exchange: paged events, flags, and stream statistics.

Policy for big streams (the page must stay fast for 100,000 events):

- A page loads at most `PAGE_SIZE` events with their raw text, from the runs that overlap
  it; nothing on the page reads every event's bytes.
- The tokens-over-time chart reads the offsets of about `MAX_POINTS` sampled events (from
  the runs' indexes, never their bytes) and estimates tokens as the recorded
  `output_tokens` spread evenly over the events: a faithful shape at a fixed cost.
- Gaps (a pause of at least `GAP_MIN_MS` and `GAP_FACTOR` times the typical spacing) are
  flagged on every page row. The list of all gaps needs one pass over the stream: done
  inline up to `INLINE_SCAN_LIMIT` events, else loaded as a separate partial
  (`?tab=timeline&part=gaps`), so the page itself never pays for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from statistics import median

from playground.inspector.charts import MAX_POINTS
from playground.recording import events as recorded
from playground.recording.events import RecordedEvent
from playground.recording.models import Exchange

PAGE_SIZE = 200
GAP_MIN_MS = 1000.0  # a pause shorter than this is never called a gap
GAP_FACTOR = 10.0  # ... and it must be this many times the typical spacing
INLINE_SCAN_LIMIT = 20_000
MAX_GAPS_LISTED = 500
DELTA_EVENT = "content_block_delta"


@dataclass
class TimelineStats:
    count: int = 0
    first_token_ms: float | None = None
    last_ms: float | None = None
    tokens_per_second: float | None = None
    typical_spacing_ms: float = 0.0
    gap_threshold_ms: float = GAP_MIN_MS
    gaps: list[tuple[int, float]] = field(default_factory=list)  # (seq, ms since previous)
    gaps_deferred: bool = False
    points: list[tuple[float, float]] = field(default_factory=list)  # (seconds, tokens)

    @property
    def gap_links(self) -> list[tuple[int, float, int]]:
        """(seq, pause ms, timeline page holding it)."""
        return [(seq, d, seq // PAGE_SIZE + 1) for seq, d in self.gaps]


@dataclass
class EventRow:
    seq: int
    offset_ms: float
    since_prev_ms: float
    event: str
    data: str
    flags: list[str]


def _samples(exchange: Exchange, count: int) -> list[tuple[int, float]]:
    """(seq, offset_ms) of about MAX_POINTS events spread evenly over the stream."""
    step = max(1, count // MAX_POINTS)
    return recorded.offsets_of(exchange, [*range(0, count, step), count - 1])


def all_gaps(exchange: Exchange, threshold_ms: float) -> list[tuple[int, float]]:
    """Every pause of at least `threshold_ms` between consecutive events (one pass over
    the runs' indexes, never their bytes)."""
    return recorded.gaps(exchange, threshold_ms, MAX_GAPS_LISTED)


def stats_for(exchange: Exchange, *, gaps: str = "auto") -> TimelineStats:
    """Statistics at a bounded cost; `gaps`: "auto" (inline when small), "all" or "none"."""
    count = recorded.event_count(exchange)
    stats = TimelineStats(count=count)
    if not count:
        return stats
    samples = _samples(exchange, count)
    stats.last_ms = samples[-1][1]
    stats.first_token_ms = exchange.first_token_ms
    if stats.first_token_ms is None:
        first = recorded.first_named(exchange, DELTA_EVENT)
        stats.first_token_ms = first[1] if first else None
    rates = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(samples, samples[1:], strict=False) if b[0] > a[0]]
    stats.typical_spacing_ms = median(rates) if rates else 0.0
    stats.gap_threshold_ms = max(GAP_MIN_MS, stats.typical_spacing_ms * GAP_FACTOR)
    if gaps == "all" or (gaps == "auto" and count <= INLINE_SCAN_LIMIT):
        stats.gaps = all_gaps(exchange, stats.gap_threshold_ms)
    else:
        stats.gaps_deferred = gaps != "none"
    output = exchange.output_tokens or 0
    last_seq = max(count - 1, 1)
    stats.points = [(offset / 1000.0, (output or count) * seq / last_seq) for seq, offset in samples]
    if output and stats.first_token_ms is not None and stats.last_ms > stats.first_token_ms:
        stats.tokens_per_second = output / ((stats.last_ms - stats.first_token_ms) / 1000.0)
    return stats


def _flags(event: RecordedEvent, data: str, after_stop: bool) -> list[str]:
    flags = []
    if event.non_utf8:
        flags.append("non-UTF-8 bytes")
    if not event.terminated:
        flags.append("unterminated")
    if after_stop:
        flags.append("after message_stop")
    if data.strip():
        try:
            json.loads(data)
        except ValueError:
            flags.append("invalid JSON")
    return flags


@dataclass
class EventDetail:
    seq: int
    offset_ms: float
    event: str
    raw: str
    parsed: object
    flags: list[str]
    cut: int  # characters left out of `raw`


MAX_EVENT_CHARS = 200_000


def one_event(exchange: Exchange, seq: str) -> EventDetail | None:
    """One event in full (raw text and parsed data), for `?tab=timeline&event=<seq>`."""
    if not seq.isdigit() or len(seq) > 9:
        return None
    ev = recorded.event_at(exchange, int(seq))
    if ev is None:
        return None
    data = ev.data
    try:
        parsed = json.loads(data) if data.strip() else None
    except ValueError:
        parsed = None
    raw = ev.raw
    return EventDetail(ev.seq, ev.offset_ms, ev.event, raw[:MAX_EVENT_CHARS], parsed,
                       _flags(ev, data, False), max(0, len(raw) - MAX_EVENT_CHARS))


def page_of_events(exchange: Exchange, page: int, stats: TimelineStats) -> tuple[list[EventRow], int]:
    """One page of events (1-based page number) and the number of pages."""
    pages = max(1, -(-stats.count // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    stop_seq = None
    if "events_after_message_stop" in (exchange.anomalies or []):
        # Only then is it worth finding the first message_stop (a walk over the stream).
        first_stop = recorded.first_named(exchange, "message_stop")
        stop_seq = first_stop[0] if first_stop else None
    events = recorded.events_between(exchange, max(start - 1, 0), start + PAGE_SIZE)
    rows: list[EventRow] = []
    prev_offset = None
    for ev in events:
        if ev.seq < start:
            prev_offset = ev.offset_ms
            continue
        data = ev.data
        since = ev.offset_ms - prev_offset if prev_offset is not None else ev.offset_ms
        prev_offset = ev.offset_ms
        flags = _flags(ev, data, stop_seq is not None and ev.seq > stop_seq)
        if ev.seq > 0 and since >= stats.gap_threshold_ms:
            flags.append("gap")
        rows.append(EventRow(ev.seq, ev.offset_ms, since, ev.event, data, flags))
    return rows, pages
