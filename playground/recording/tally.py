"""What the writer learns from one exchange's stream as it passes, without keeping it.

The capture side hands over either raw bytes as they arrived (`ops.Chunks`, the proxy: it
forwards bytes without parsing them) or events it parsed itself (`ops.Event`, the composer
and replays). A tally reads both into the content of event rows (`take_run`: the events'
bytes one after another and an `[offset_ms, name, byte length]` per event) and, on the
way, feeds the accumulator and notes the flags, so finishing an exchange needs no second
pass over its events and memory holds the rebuilt message, not every event.

Runs in the writer's thread, once per operation, outside any database transaction: a
batch the database refuses and that is retried never counts an event twice.

Most events of a long stream are string deltas in the API's exact spelling: `add_chunk`
reads those whole (`delta_event`), skipping the SSE parser and the JSON decoder, and hands
every other event to the parser. This is the one second path in recording, kept for the
target "CPU per relayed event with recording on at most half of LiteLLM's" (issue 17), which
the parser and the decoder alone miss (bench/bench_sse.py, "recorder's tally"); the
differential test (tests/recording/test_tally_fast_lane.py) holds it to the general path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from json.decoder import scanstring

from playground.contract.accumulate import AccumulateResult, Accumulator
from playground.contract.sse import SSEEvent, SSEParser
from playground.recording.analyze import safe_text

_DELTA = "content_block_delta"
_DELTA_DATA_AT = len(b"event: content_block_delta\ndata: ")

# One whole string-delta event in the API's exact spelling (LF line endings, nothing else
# on its lines): index, delta kind and the string literal's body (bytes between the
# quotes). A literal is runs of bytes other than quote, backslash and control characters,
# or backslash escapes; the json scanner validates the escapes.
_DELTA_EVENT = re.compile(
    rb'event: content_block_delta\ndata: \{"type":"content_block_delta","index":(0|[1-9][0-9]{0,8}),'
    rb'"delta":\{"type":"(text_delta","text|thinking_delta","thinking|input_json_delta","partial_json)":"'
    rb'((?:[^"\\\x00-\x1f]++|\\[^\x00-\x1f])*+)"\}\}\n\n'
)
_KINDS = {b'text_delta","text': "text", b'thinking_delta","thinking': "thinking",
          b'input_json_delta","partial_json': "tool"}


def delta_event(buf: bytes, pos: int) -> tuple[int, int, str, str] | None:
    """(end, index, kind, string) when a whole string-delta event in the API's exact
    spelling starts at `buf[pos]`; None for anything else (the SSE parser then reads it).

    What it accepts, it reads as the parser and `json.loads` would: the string must be
    UTF-8 and its escapes valid JSON (the json module's own scanner reads them).
    """
    m = _DELTA_EVENT.match(buf, pos)
    if m is None:
        return None
    literal = m.group(3)
    try:
        text = literal.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if b"\\" in literal:
        quoted = text + '"'
        try:
            text, end = scanstring(quoted, 0, True)
        except ValueError:
            return None
        if end != len(quoted):
            return None
    return m.end(), int(m.group(1)), _KINDS[m.group(2)], text


@dataclass(slots=True)
class Run:
    """Consecutive events of a stream, what one event row stores: `raw` their bytes one
    after another, `index` an [offset_ms, name, byte length] per event."""

    first_seq: int
    raw: bytes
    index: list[list]
    last_unterminated: bool


class StreamTally:
    __slots__ = (
        "_acc",
        "_parser",
        "_last_offset",
        "_raw",
        "_index",
        "_names",
        "_last_unterminated",
        "count",
        "raw_bytes",
        "first_token_ms",
        "_stopped",
        "_after_stop",
        "_non_utf8",
        "_unterminated",
    )

    def __init__(self) -> None:
        self._acc = Accumulator()
        self._parser: SSEParser | None = None
        self._last_offset = 0.0
        self._raw = bytearray()  # the events read since the last take_run()
        self._index: list[list] = []
        self._names: dict[str, str] = {}  # event name -> as stored
        self._last_unterminated = False
        self.count = 0
        self.raw_bytes = 0
        self.first_token_ms: float | None = None
        self._stopped = False
        self._after_stop = 0
        self._non_utf8 = False
        self._unterminated = False

    def add_chunk(self, offset_ms: float, raw: bytes) -> None:
        """Bytes as received. String deltas are read whole; every other event, and every
        event while the parser holds part of one, goes to the parser, one event at a time,
        so the whole reading resumes at the next boundary."""
        parser = self._parser
        if parser is None:
            parser = self._parser = SSEParser()
        offset_ms = round(offset_ms, 3)  # as stored: every event the chunk completes shares it
        self._last_offset = offset_ms
        pos, size = 0, len(raw)
        while pos < size:
            if parser.at_event_boundary():
                pos = self._read_deltas(raw, pos, offset_ms)
                if pos == size:
                    break
            cut = raw.find(b"\n\n", pos)
            stop = size if cut < 0 else cut + 2
            for ev in parser.feed(raw[pos:stop]):
                self._add(offset_ms, ev.raw, ev)
            pos = stop

    def add_event(self, offset_ms: float, raw: bytes, sse: SSEEvent) -> None:
        self._add(round(offset_ms, 3), raw, sse)

    def close(self) -> None:
        """The stream is over: what the parser still holds becomes a last event, which
        arrived with the last chunk."""
        parser, self._parser = self._parser, None
        if parser is None:
            return
        try:
            tail = parser.close()
        except ValueError:
            return
        for ev in tail:
            self._add(self._last_offset, ev.raw, ev)

    def take_run(self) -> Run | None:
        """The events read since the last call, or None when there are none."""
        if not self._index:
            return None
        run = Run(self.count - len(self._index), bytes(self._raw), self._index, self._last_unterminated)
        self._raw = bytearray()
        self._index = []
        return run

    def _name(self, name: str) -> str:
        stored = self._names.get(name)
        if stored is None:
            stored = self._names[name] = safe_text(name)[:100]
        return stored

    def _add(self, offset_ms: float, raw: bytes, sse: SSEEvent) -> None:
        self.count += 1
        self.raw_bytes += len(raw)
        self._raw += raw
        name = sse.event or ""
        self._index.append([offset_ms, self._name(name), len(raw)])
        self._last_unterminated = not sse.terminated
        if self._stopped:
            self._after_stop += 1
        elif name == "message_stop":
            self._stopped = True
        if self.first_token_ms is None and name == _DELTA:
            self.first_token_ms = offset_ms
        if sse.utf8_error:
            self._non_utf8 = True
        if not sse.terminated:
            self._unterminated = True
        self._acc.add_sse(sse)

    def _read_deltas(self, raw: bytes, pos: int, offset_ms: float) -> int:
        """Reads the string deltas in the API's exact spelling from `raw[pos]` on, up to the
        first other event, and returns where it stopped. Consecutive deltas of one block
        reach the accumulator in one call."""
        start = pos
        index = self._index
        before = len(index)
        group_at, group_pos, group_block, group_kind = before, pos, -1, ""
        values: list[str] = []
        while (found := delta_event(raw, pos)) is not None:
            end, block, kind, value = found
            if block != group_block or kind != group_kind:
                self._feed_deltas(group_block, group_kind, values, raw, group_pos, group_at)
                group_at, group_pos, group_block, group_kind, values = len(index), pos, block, kind, []
            values.append(value)
            index.append([offset_ms, _DELTA, end - pos])
            pos = end
        read = len(index) - before
        if not read:
            return pos
        self._feed_deltas(group_block, group_kind, values, raw, group_pos, group_at)
        self._raw += memoryview(raw)[start:pos]
        self.raw_bytes += pos - start
        self.count += read
        self._last_unterminated = False
        if self._stopped:
            self._after_stop += read
        if self.first_token_ms is None:
            self.first_token_ms = offset_ms
        return pos

    def _feed_deltas(self, block: int, kind: str, values: list[str], raw: bytes, pos: int, at: int) -> None:
        """Hands consecutive deltas of one block to the accumulator: `values`, read from
        `raw[pos]` on, whose index entries start at `self._index[at]`."""
        if not values or self._acc.add_string_deltas(block, kind, values):
            return
        # Not for a live block of their kind: the accumulator reads each the slow way and
        # flags what is wrong.
        for _offset, _name, length in self._index[at : at + len(values)]:
            event = raw[pos : pos + length]
            pos += length
            self._acc.add_sse(SSEEvent(_DELTA, event[_DELTA_DATA_AT:-2].decode("utf-8"), None, None, event))

    def anomalies(self) -> list[str]:
        """Flags the recorder adds from the raw events (the accumulator adds its own)."""
        flags = []
        if self._non_utf8:
            flags.append("non_utf8_event")
        if self._unterminated:
            flags.append("unterminated_last_event")
        if self._acc.invalid_json_events:
            flags.append("invalid_json_in_event")
        if self._after_stop:
            flags.append("events_after_message_stop")
        return flags

    def result(self) -> AccumulateResult:
        return self._acc.finish()
