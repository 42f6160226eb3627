"""Reading recorded events: runs (`EventRun`) cut back into events, by seq.

Policy: every reader of events goes through here, so nothing else knows how they are
stored. Reads are bounded by what they ask for: a page of events loads only the runs that
overlap it; counts and the stream's last offset read one run's index; a full pass
(`iter_events`, `iter_index`) streams run by run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from playground.recording.models import EventRun, Exchange


@dataclass(slots=True)
class RecordedEvent:
    """One SSE event as it arrived."""

    seq: int
    offset_ms: float
    event: str  # the SSE event name, "" for none
    raw_bytes: bytes  # exactly as received (secrets scrubbed)
    terminated: bool = True  # False: cut before its blank line

    @property
    def non_utf8(self) -> bool:
        try:
            self.raw_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    @property
    def raw(self) -> str:
        """The bytes as text: U+FFFD for what is not UTF-8, and for NUL."""
        return self.raw_bytes.decode("utf-8", errors="replace").replace("\x00", "\ufffd")

    @property
    def data(self) -> str:
        """The joined `data:` lines of the event."""
        lines = []
        for line in self.raw.splitlines():
            if line.startswith("data:"):
                value = line[5:]
                lines.append(value[1:] if value.startswith(" ") else value)
        return "\n".join(lines)


def _cut(run: EventRun, start: int = 0, stop: int | None = None) -> Iterator[RecordedEvent]:
    raw = bytes(run.raw)
    last = run.end_seq - 1
    pos = 0
    for i, (offset, name, length) in enumerate(run.index):
        seq = run.first_seq + i
        end = pos + length
        if seq >= start and (stop is None or seq < stop):
            yield RecordedEvent(
                seq, offset, name, raw[pos:end], not (seq == last and run.last_unterminated)
            )
        pos = end


def _runs(exchange: Exchange | int):
    pk = exchange.pk if isinstance(exchange, Exchange) else exchange
    return EventRun.objects.filter(exchange_id=pk)


def event_count(exchange: Exchange | int) -> int:
    last = _runs(exchange).order_by("-first_seq").values_list("end_seq", flat=True).first()
    return last or 0


def _overlapping(exchange: Exchange | int, start: int, stop: int | None):
    """Runs holding events with seq >= start (and < stop), in order: the run that holds
    `start` found by one index lookup, so an early page never scans later runs and a late
    page never scans earlier ones."""
    runs = _runs(exchange)
    first = runs.filter(first_seq__lte=start).order_by("-first_seq").values_list("first_seq", flat=True)[:1]
    lowest = next(iter(first), start)
    runs = runs.filter(first_seq__gte=lowest, end_seq__gt=start)
    if stop is not None:
        runs = runs.filter(first_seq__lt=stop)
    return runs.order_by("first_seq")


def events_between(exchange: Exchange | int, start: int, stop: int) -> list[RecordedEvent]:
    """Events with start <= seq < stop, in order."""
    if stop <= start:
        return []
    return [ev for run in _overlapping(exchange, start, stop) for ev in _cut(run, start, stop)]


def events_after(exchange: Exchange | int, after_seq: int, limit: int) -> list[RecordedEvent]:
    """Up to `limit` events with seq > after_seq: catching up a live view. Seqs a failed
    batch never wrote are skipped, not waited for."""
    start = max(after_seq + 1, 0)
    out: list[RecordedEvent] = []
    for run in _overlapping(exchange, start, None).iterator(chunk_size=10):
        for ev in _cut(run, start):
            out.append(ev)
            if len(out) >= limit:
                return out
    return out


def event_at(exchange: Exchange | int, seq: int) -> RecordedEvent | None:
    found = events_between(exchange, seq, seq + 1)
    return found[0] if found else None


def iter_events(exchange: Exchange | int) -> Iterator[RecordedEvent]:
    """Every event in order, reading a few runs at a time."""
    for run in _runs(exchange).order_by("first_seq").iterator(chunk_size=20):
        yield from _cut(run)


def raw_stream(exchange: Exchange | int) -> bytes:
    """The whole stream's bytes, as received (secrets scrubbed)."""
    runs = _runs(exchange).order_by("first_seq").values_list("raw", flat=True)
    return b"".join(bytes(raw) for raw in runs.iterator(chunk_size=20))


def iter_index(exchange: Exchange | int) -> Iterator[tuple[int, float, str]]:
    """(seq, offset_ms, name) of every event in order, without their bytes."""
    runs = _runs(exchange).order_by("first_seq").values_list("first_seq", "index")
    for first_seq, index in runs.iterator(chunk_size=50):
        for i, (offset, name, _length) in enumerate(index):
            yield first_seq + i, offset, name


def offsets_of(exchange: Exchange | int, seqs: list[int]) -> list[tuple[int, float]]:
    """(seq, offset_ms) for the given seqs that exist, in seq order."""
    wanted = sorted(set(seqs))
    if not wanted:
        return []
    out: list[tuple[int, float]] = []
    runs = (
        _runs(exchange)
        .filter(first_seq__lte=wanted[-1], end_seq__gt=wanted[0])
        .order_by("first_seq")
        .values_list("first_seq", "end_seq", "index")
    )
    i = 0
    for first_seq, end_seq, index in runs.iterator(chunk_size=50):
        while i < len(wanted) and wanted[i] < first_seq:
            i += 1
        while i < len(wanted) and wanted[i] < end_seq:
            out.append((wanted[i], index[wanted[i] - first_seq][0]))
            i += 1
    return out


def first_named(exchange: Exchange | int, name: str) -> tuple[int, float] | None:
    """(seq, offset_ms) of the first event called `name`: a walk over the index."""
    for seq, offset, event in iter_index(exchange):
        if event == name:
            return seq, offset
    return None


def gaps(exchange: Exchange | int, threshold_ms: float, limit: int) -> list[tuple[int, float]]:
    """(seq, ms since the previous event) for every pause of at least `threshold_ms`."""
    out: list[tuple[int, float]] = []
    previous = None
    for seq, offset, _name in iter_index(exchange):
        if previous is not None and offset - previous >= threshold_ms:
            out.append((seq, offset - previous))
            if len(out) >= limit:
                break
        previous = offset
    return out
