"""Stream events in, the final Message out: the same object a non-streaming call returns.

Policy (MESSAGES_API.md §7.3-§7.7), hardened beyond the official SDK's `accumulate_event`:

* Blocks are stored by their `index`; a gap or a repeated index is an anomaly.
* Text and thinking deltas are appended to per-block lists joined once at the end, so a long
  stream costs time linear in its size. `signature_delta` replaces; `citations_delta`
  appends to `citations`; `compaction_delta` replaces `content`/`encrypted_content`.
* Tool input (`input_json_delta`) is buffered per block and parsed once, at
  `content_block_stop` (or at `finish()` for a block never stopped): an empty buffer keeps
  the `{}` from `content_block_start`. A buffer that does not parse (a `max_tokens` cut)
  leaves `input` as `{}`, is kept verbatim in `AccumulateResult.partial_json` and is flagged.
* `message_delta` sets `stop_reason` and `stop_sequence` always, `stop_details` when the
  delta carries the key, `container` when not null, and overwrites every usage field it
  carries that is not null: usage there is cumulative, never added (§7.4).
* An `error` event, or a stream that ends before `message_stop`, gives the partial message
  with outcome `error` / `incomplete`. Nothing here raises on bad input: invalid JSON, events
  before `message_start` or after the end, deltas for unknown blocks, deltas of the wrong
  kind, non-UTF-8 bytes are all recorded in `anomalies` and skipped.
* `ping` and unknown event names are ignored (unknown names are noted in `anomalies`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

from playground.contract.sse import SSEEvent

_JSON_INPUT_BLOCKS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})
# Which block type each delta type may extend (§7.3).
_DELTA_TARGETS: dict[str, frozenset[str]] = {
    "text_delta": frozenset({"text"}),
    "citations_delta": frozenset({"text"}),
    "thinking_delta": frozenset({"thinking"}),
    "signature_delta": frozenset({"thinking"}),
    "input_json_delta": _JSON_INPUT_BLOCKS,
    "compaction_delta": frozenset({"compaction"}),
}
_MAX_ANOMALIES = 200


@dataclass
class AccumulateResult:
    message: dict | None
    outcome: str  # "completed" | "error" | "incomplete"
    error: dict | None  # the error event's {"type", "message"} when outcome is "error"
    anomalies: list[str]
    # Tool inputs whose JSON did not parse, by content index, exactly as streamed.
    partial_json: dict[int, str] = field(default_factory=dict)


_COMPACT_AT = 256


class _Block:
    """One content block and its pending string deltas (text, thinking or tool JSON)."""

    __slots__ = ("data", "parts", "done", "is_json", "stopped")

    def __init__(self, data: dict) -> None:
        self.data = data
        self.parts: list[str] = []  # the latest deltas
        # Earlier deltas joined in runs of _COMPACT_AT: memory follows the text's size, not
        # the number of deltas, and every character is copied a bounded number of times.
        self.done: list[str] = []
        self.is_json = data.get("type") in _JSON_INPUT_BLOCKS
        self.stopped = False

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        if len(self.parts) >= _COMPACT_AT:
            self._compact()

    def extend(self, pieces: list[str]) -> None:
        self.parts.extend(pieces)
        if len(self.parts) >= _COMPACT_AT:
            self._compact()

    def _compact(self) -> None:
        self.done.append("".join(self.parts))
        self.parts.clear()

    def has_parts(self) -> bool:
        return bool(self.parts or self.done)

    def peek(self, start: str = "") -> str:
        # One join: the text is copied once, whatever the number of pieces.
        return "".join([start, *self.done, *self.parts])

    def take(self, start: str = "") -> str:
        text = self.peek(start)
        self.parts, self.done = [], []
        return text


class Accumulator:
    """Feed events with `add_sse` (from the parser); read `finish()`."""

    def __init__(self) -> None:
        self._message: dict | None = None
        self._blocks: list[_Block] = []
        self._by_index: dict[int, _Block] = {}
        self._ended = False  # message_stop or error seen
        self._outcome = "incomplete"
        self._error: dict | None = None
        self._partial_json: dict[int, str] = {}
        self.anomalies: list[str] = []
        self._count = 0
        self.invalid_json_events = 0  # events whose non-blank data is not JSON

    # -- input --------------------------------------------------------------------------

    def add_sse(self, event: SSEEvent) -> None:
        """Add one parsed SSE event (its data is JSON-decoded here)."""
        self._count += 1
        if event.utf8_error:
            self._flag(f"event {self._count}: bytes that are not UTF-8 in the data")
        if not event.data:
            if event.event is not None:
                self._flag(f"event {self._count} ({event.event}): no data")
            return  # comments and keep-alives carry nothing
        if not event.terminated:
            self._flag(f"event {self._count} ({event.event}): stream ended before its blank line")
        try:
            data = json.loads(event.data)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            if event.data.strip():
                self.invalid_json_events += 1
            self._flag(f"event {self._count} ({event.event}): invalid JSON in data")
            return
        if not isinstance(data, dict):
            self._flag(f"event {self._count} ({event.event}): data is not a JSON object")
            return
        self._apply(event.event, data)

    def add_string_deltas(self, index: int, kind: str, values: list[str]) -> bool:
        """Consecutive string deltas ("text", "thinking" or "tool" input) for one block,
        already read from their events' bytes (the recorder's reading of a relayed stream,
        see `recording/tally.py`), added when they extend a live block of their kind;
        False, with nothing counted, for anything else: the caller then adds each event
        with `add_sse`, which flags it."""
        b = self._by_index.get(index)
        if self._message is None or self._ended or b is None or b.stopped:
            return False
        if kind != b.data.get("type") and not (kind == "tool" and b.is_json):
            return False
        b.extend(values)
        self._count += len(values)
        return True

    def _apply(self, name: str | None, data: dict) -> None:
        kind = data.get("type")
        if name is None:
            name = kind if isinstance(kind, str) else None
        elif kind is not None and kind != name:
            self._flag(f"event {self._count} ({name}): data type is {kind!r}")
        if name == "ping":
            return
        if self._ended:
            self._flag(f"event {self._count} ({name}): arrived after the stream ended")
            return
        if name == "error":
            self._outcome = "error"
            self._ended = True
            err = data.get("error")
            if isinstance(err, dict):
                self._error = copy.deepcopy(err)
            else:
                self._error = {"type": "api_error", "message": "an error event without an error object"}
                self._flag(f"event {self._count} (error): no error object")
            return
        if self._message is None:
            if name == "message_start" and isinstance(data.get("message"), dict):
                self._start(data["message"])
            else:
                self._flag(f"event {self._count} ({name}): before message_start")
            return
        handler = _HANDLERS.get(name)  # type: ignore[arg-type]
        if handler is None:
            self._flag(f"event {self._count}: unknown event {name!r} ignored")
            return
        handler(self, data)

    # -- handlers -----------------------------------------------------------------------

    def _start(self, message: dict) -> None:
        self._message = copy.deepcopy(message)
        content = self._message.get("content")
        if not isinstance(content, list):
            content = []
        self._message["content"] = []
        for block in content:  # not sent by the API, but keep anything that came
            self._new_block(len(self._blocks), block)

    def _again_start(self, data: dict) -> None:
        self._flag(f"event {self._count} (message_start): a second message_start ignored")

    def _block_start(self, data: dict) -> None:
        index, block = data.get("index"), data.get("content_block")
        if not isinstance(index, int) or not isinstance(block, dict):
            self._flag(f"event {self._count} (content_block_start): no index or content_block")
            return
        if index in self._by_index:
            self._flag(f"event {self._count} (content_block_start): index {index} started twice")
            return
        if index != len(self._blocks):
            self._flag(
                f"event {self._count} (content_block_start): index {index}, expected {len(self._blocks)}"
            )
        self._new_block(index, block)

    def _new_block(self, index: int, block: object) -> None:
        if not isinstance(block, dict):
            self._flag(f"content block {index} is not an object")
            return
        b = _Block(copy.deepcopy(block))
        self._blocks.append(b)
        self._by_index[index] = b

    def _block_delta(self, data: dict) -> None:
        index, delta = data.get("index"), data.get("delta")
        b = self._by_index.get(index)  # type: ignore[arg-type]
        where = f"event {self._count} (content_block_delta)"
        if b is None:
            self._flag(f"{where}: unknown index {index}")
            return
        if not isinstance(delta, dict):
            self._flag(f"{where}: no delta")
            return
        if b.stopped:
            self._flag(f"{where}: block {index} already stopped")
        dtype = delta.get("type")
        targets = _DELTA_TARGETS.get(dtype)  # type: ignore[arg-type]
        btype = b.data.get("type")
        if targets is None:
            self._flag(f"{where}: unknown delta type {dtype!r} ignored")
            return
        if btype not in targets:
            self._flag(f"{where}: {dtype} on a {btype} block ignored")
            return
        if dtype == "text_delta":
            self._append(b, delta, "text", where)
        elif dtype == "thinking_delta":
            self._append(b, delta, "thinking", where)
        elif dtype == "input_json_delta":
            part = delta.get("partial_json")
            if isinstance(part, str):
                b.add(part)
            else:
                self._flag(f"{where}: partial_json is not a string")
        elif dtype == "signature_delta":
            b.data["signature"] = delta.get("signature")
        elif dtype == "citations_delta":
            citations = b.data.get("citations")
            if not isinstance(citations, list):
                citations = b.data["citations"] = []
            citations.append(copy.deepcopy(delta.get("citation")))
        elif dtype == "compaction_delta":
            for key in ("content", "encrypted_content"):
                if key in delta:
                    b.data[key] = copy.deepcopy(delta[key])

    def _append(self, b: _Block, delta: dict, key: str, where: str) -> None:
        piece = delta.get(key)
        if isinstance(piece, str):
            b.add(piece)
        else:
            self._flag(f"{where}: {key} is not a string")

    def _block_stop(self, data: dict) -> None:
        index = data.get("index")
        b = self._by_index.get(index)  # type: ignore[arg-type]
        if b is None:
            self._flag(f"event {self._count} (content_block_stop): unknown index {index}")
            return
        if b.stopped:
            self._flag(f"event {self._count} (content_block_stop): block {index} stopped twice")
            return
        b.stopped = True
        self._finish_input(index, b)  # type: ignore[arg-type]

    def _finish_input(self, index: int, b: _Block) -> None:
        if not b.is_json or not b.has_parts():
            return
        buf = b.take()
        if not buf:
            return  # an empty buffer means no arguments: keep the {} from the start
        try:
            b.data["input"] = json.loads(buf)
        except ValueError:
            self._partial_json[index] = buf
            self._flag(f"content[{index}].input: the streamed JSON does not parse ({len(buf)} chars)")

    def _message_delta(self, data: dict) -> None:
        msg = self._message
        assert msg is not None
        delta = data.get("delta")
        if isinstance(delta, dict):
            msg["stop_reason"] = delta.get("stop_reason")
            msg["stop_sequence"] = delta.get("stop_sequence")
            if "stop_details" in delta:
                msg["stop_details"] = copy.deepcopy(delta["stop_details"])
            if delta.get("container") is not None:
                msg["container"] = copy.deepcopy(delta["container"])
        else:
            self._flag(f"event {self._count} (message_delta): no delta")
        usage = data.get("usage")
        if isinstance(usage, dict):
            target = msg.get("usage")
            if not isinstance(target, dict):
                target = msg["usage"] = {}
            for key, value in usage.items():
                if value is not None:  # cumulative: overwrite, and a null never erases
                    target[key] = copy.deepcopy(value)

    def _message_stop(self, data: dict) -> None:
        self._ended = True
        self._outcome = "completed"
        unstopped = [i for i, b in self._by_index.items() if not b.stopped]
        if unstopped:
            self._flag(f"message_stop with blocks never stopped: {unstopped}")

    def _flag(self, text: str) -> None:
        if len(self.anomalies) < _MAX_ANOMALIES:
            self.anomalies.append(text)
        elif len(self.anomalies) == _MAX_ANOMALIES:
            self.anomalies.append("further anomalies not listed")

    # -- output -------------------------------------------------------------------------

    @property
    def outcome(self) -> str:
        return self._outcome

    def finish(self) -> AccumulateResult:
        """The final (or partial) message and how the stream ended. Safe to call twice."""
        if self._message is None:
            return AccumulateResult(None, self._outcome, self._error, list(self.anomalies))
        for index, b in self._by_index.items():
            if b.is_json and b.has_parts():
                self._finish_input(index, b)
        msg = dict(self._message)
        content = []
        for b in self._blocks:
            if not b.is_json and b.has_parts():
                key = _text_key(b.data)
                b.data[key] = b.take(_str(b.data.get(key)))
            content.append(b.data)
        msg["content"] = content
        return AccumulateResult(
            copy.deepcopy(msg),
            self._outcome,
            copy.deepcopy(self._error),
            list(self.anomalies),
            dict(self._partial_json),
        )


def _text_key(block: dict) -> str:
    return "text" if block.get("type") == "text" else "thinking"


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


_HANDLERS = {
    "message_start": Accumulator._again_start,
    "content_block_start": Accumulator._block_start,
    "content_block_delta": Accumulator._block_delta,
    "content_block_stop": Accumulator._block_stop,
    "message_delta": Accumulator._message_delta,
    "message_stop": Accumulator._message_stop,
}


def accumulate(events: list[SSEEvent]) -> AccumulateResult:
    """Accumulate a whole list of parsed events (tests, stored recordings)."""
    acc = Accumulator()
    for event in events:
        acc.add_sse(event)
    return acc.finish()
