"""Server-sent events: an incremental parser (bytes in, events out) and the encoder.

Policy:

* The parser follows the WHATWG event-stream rules the official SDKs follow: LF, CRLF and
  lone CR all end a line; `data` lines of one event join with "\\n"; lines starting with ":"
  are comments; one leading space after the colon is dropped; an unknown field is ignored;
  an unknown event *name* is kept as is. Like the SDK's decoder, a blank line dispatches an
  event when it had a data line, a non-empty event name, id or a valid retry (the spec's
  "no data, no event" rule would lose `event: x`); unlike it, an id only counts for the
  event that carried it (the SDK then dispatches empty events at every later blank line).
* Every byte fed in ends up in exactly one event's `raw`, so joining the `raw` of all events
  gives the input back byte for byte: the proxy relays and the recorder stores those bytes.
  Comment-only and blank-only runs (keep-alives) are carried into the next event's `raw`;
  whatever is left at `close()` is reported as a last event, never dropped. An event cut
  before its blank line comes back from `close()` with `terminated=False`.
* A chunk may end anywhere, including inside a CRLF pair or a UTF-8 character: only whole
  lines are decoded. Bytes that are not UTF-8 decode with U+FFFD and set `utf8_error`, so
  callers can flag them without the parser raising.
* A chunk that cannot complete a line is only appended, so a large event arriving in
  small pieces stays linear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_PING_DATA = b'{"type": "ping"}'


@dataclass(slots=True)
class SSEEvent:
    event: str | None
    data: str
    id: str | None
    retry: int | None
    raw: bytes
    terminated: bool = True
    utf8_error: bool = False


def _decode(value: bytes) -> tuple[str, bool]:
    try:
        return value.decode("utf-8"), False
    except UnicodeDecodeError:
        return value.decode("utf-8", errors="replace"), True


class SSEParser:
    """Incremental event-stream parser: `feed(chunk)` returns the events completed so far."""

    def __init__(self) -> None:
        self._partial: list[bytes] = []  # pieces of the current, unfinished line
        self._partial_ends_cr = False  # a trailing CR may be the first half of CRLF
        self._raw: list[bytes] = []  # lines (with their endings) of the current event
        self._event: bytes | None = None
        self._data: list[bytes] = []
        self._id_seen = False
        self._last_id: str | None = None
        self._retry: int | None = None
        self._utf8_error = False
        self._first_line = True
        self._closed = False

    def at_event_boundary(self) -> bool:
        """Whether the next byte fed starts a new event with nothing held (past the first
        line): a caller that reads some events itself may do so only then, and feed the
        parser the rest."""
        return not self._partial and not self._raw and not self._first_line

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if self._closed:
            raise ValueError("SSEParser.feed() after close()")
        if not chunk:
            return []
        if not self._partial_ends_cr and b"\n" not in chunk and b"\r" not in chunk:
            self._partial.append(chunk)
            return []
        if self._partial:
            self._partial.append(chunk)
            buf = b"".join(self._partial)
            self._partial = []
        else:
            buf = chunk
        lines = buf.splitlines(keepends=True)
        last = lines[-1]
        # The last piece is unfinished when it has no line ending, or when it ends in a lone
        # CR that the next chunk may turn into CRLF: hold it back until more bytes arrive.
        if last[-1:] == b"\r" or last[-1:] != b"\n":
            lines.pop()
            self._partial = [last]
            self._partial_ends_cr = last[-1:] == b"\r"
        else:
            self._partial_ends_cr = False
        out: list[SSEEvent] = []
        for line in lines:
            self._line(line, out)
        return out

    def close(self) -> list[SSEEvent]:
        """End of stream: report what is left (an unterminated event, or trailing comments)."""
        if self._closed:
            return []
        self._closed = True
        out: list[SSEEvent] = []
        if self._partial:
            rest = b"".join(self._partial)
            self._partial = []
            if rest.endswith(b"\r"):
                # A final lone CR is a complete line ending after all.
                self._line(rest, out)
            else:
                self._field(rest)
                self._raw.append(rest)
        if self._raw:
            if self._has_fields:
                out.append(self._dispatch(terminated=False))
            else:
                # Only comments or blank lines are left: keep their bytes as an empty event.
                out.append(SSEEvent(None, "", None, None, b"".join(self._raw)))
                self._raw = []
        return out

    def _line(self, line: bytes, out: list[SSEEvent]) -> None:
        self._raw.append(line)
        if line[-1:] == b"\n":
            content = line[:-2] if line[-2:] == b"\r\n" else line[:-1]
        else:
            content = line[:-1]
        if content:
            self._field(content)
        elif self._has_fields:
            out.append(self._dispatch(terminated=True))
        else:
            # Nothing to dispatch: its bytes stay in _raw for the next event.
            self._event = None

    def _field(self, content: bytes) -> None:
        if self._first_line:
            self._first_line = False
            if content.startswith(b"\xef\xbb\xbf"):
                content = content[3:]
        if not content or content[0] == 0x3A:  # ":" starts a comment
            return
        colon = content.find(b":")
        if colon < 0:
            name, value = content, b""
        else:
            name = content[:colon]
            value = content[colon + 1 :]
            if value[:1] == b" ":
                value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value
        elif name == b"id":
            if b"\x00" not in value:
                self._last_id, bad = _decode(value)
                self._utf8_error |= bad
                self._id_seen = bool(value)
        elif name == b"retry" and value.isdigit() and value.isascii():
            self._retry = int(value)
        # Unknown field names are ignored, as the spec says.

    @property
    def _has_fields(self) -> bool:
        """Whether a blank line now dispatches an event: a data line, a non-empty event
        name, id or a valid retry was seen (the SDK's rule, with the id per event)."""
        return bool(self._data or self._event or self._id_seen or self._retry is not None)

    def _dispatch(self, *, terminated: bool) -> SSEEvent:
        bad = self._utf8_error
        data, bad_data = _decode(b"\n".join(self._data)) if self._data else ("", False)
        event: str | None = None
        if self._event:  # an empty `event:` names nothing, as in the SDK
            event, bad_name = _decode(self._event)
            bad |= bad_name
        ev = SSEEvent(
            event=event,
            data=data,
            id=self._last_id,
            retry=self._retry,
            raw=b"".join(self._raw),
            terminated=terminated,
            utf8_error=bad or bad_data,
        )
        self._raw = []
        self._event = None
        self._data = []
        self._retry = None
        self._id_seen = False
        self._utf8_error = False
        return ev


class EventCutter:
    """Cuts a byte stream after its last complete event, without parsing it: what a relay
    may forward at once.

    `feed(chunk)` returns every byte up to the last blank line seen so far (whole events,
    ready to forward) and holds the rest; a large event arriving in small pieces stays
    linear. While the stream has only LF line endings this is one `bytes.rfind` per chunk;
    the first CR switches the cutter, for good, to an `SSEParser` (CRLF and lone-CR
    streams), whose events' raw bytes it returns instead. Either way the bytes returned,
    in order, are the input unchanged.
    """

    def __init__(self) -> None:
        self._held: list[bytes] = []
        self._parser: SSEParser | None = None

    def feed(self, chunk: bytes) -> bytes:
        if self._parser is None and b"\r" in chunk:
            self._parser = SSEParser()
            if self._held:
                chunk = b"".join(self._held) + chunk
                self._held = []
        if self._parser is not None:
            return b"".join(ev.raw for ev in self._parser.feed(chunk))
        end = chunk.rfind(b"\n\n")
        if end >= 0:
            end += 2
        elif chunk[:1] == b"\n" and self._held and self._held[-1][-1:] == b"\n":
            end = 1  # the blank line straddles the two chunks
        else:
            if chunk:
                self._held.append(chunk)
            return b""
        out = chunk[:end]
        if self._held:
            out = b"".join(self._held) + out
        self._held = [chunk[end:]] if end < len(chunk) else []
        return out

    def finish(self) -> bytes:
        """At a clean end of stream: the trailing bytes still safe to forward, a run of
        comments or blank lines that ended with a blank line. An unfinished event is not
        returned (the caller decides what the client sees instead)."""
        if self._parser is None:
            self._held = []
            return b""
        tail = self._parser.close()
        return b"".join(ev.raw for ev in tail if ev.terminated and not ev.event)


def parse_all(body: bytes) -> list[SSEEvent]:
    """Parse a whole body at once (tests, stored recordings)."""
    parser = SSEParser()
    return parser.feed(body) + parser.close()


def encode_data(data: dict) -> bytes:
    """The JSON of a data line, in the API's style: compact, non-ASCII kept as UTF-8."""
    if data == {"type": "ping"}:
        # The API spells its ping with a space; keep the bytes identical to a real stream.
        return _PING_DATA
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a caller's JSON escape echoed back) has no UTF-8 form; the
        # escaped JSON spelling is valid and decodes to the same string.
        return json.dumps(data, separators=(",", ":")).encode("ascii")


def encode_event(name: str, data: dict) -> bytes:
    """One event as the API sends it: `event:` line, `data:` line, blank line.

    json.dumps escapes every control character, so the data always fits on one line.
    """
    return b"event: " + name.encode("utf-8") + b"\ndata: " + encode_data(data) + b"\n\n"
