"""A Message turned into the exact event sequence the Messages API streams for it.

Policy (MESSAGES_API.md §7.2-§7.5, checked against the captures):

* `message_start` carries the message with `content: []`, `stop_reason`/`stop_sequence` null
  (and `stop_details` null when the message has that key) and the input side of `usage` with a
  small provisional `output_tokens`.
* Each block gets `content_block_start`, its deltas, `content_block_stop`. Text arrives in
  several `text_delta` chunks (a text block with citations starts with `citations: []` and
  gets one `citations_delta` per citation before its text); thinking in `thinking_delta`
  chunks, then an empty `thinking_delta` and one `signature_delta`; tool input as
  `input_json_delta` fragments of the API's JSON spelling, led by an empty fragment (an empty
  input is that single "" fragment). Every other block (server tool results, redacted
  thinking, unknown types) arrives whole in `content_block_start` with no deltas.
* One `ping` follows the first `content_block_start` (right after `message_start` when there
  are no blocks), as the real API does.
* `message_delta` carries `stop_reason`, `stop_sequence` (and `stop_details`, `container`
  when the message has them) and the cumulative usage; `message_stop` ends the stream.

Feeding the result through the accumulator gives the message back unchanged.
"""

from __future__ import annotations

import copy
import json
import re

from playground.contract.sse import encode_event

_WORDS = re.compile(r"\s*\S+\s*|\s+")
_JSON_INPUT_BLOCKS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})
# Usage fields that only the final message_delta carries (CAP 09, 11).
_DELTA_ONLY_USAGE = ("server_tool_use", "output_tokens_details")
# Usage fields the API repeats, cumulatively, in message_delta (§7.4).
_DELTA_USAGE = (
    "input_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use",
    "output_tokens_details",
)
_START_KEYS = ("model", "id", "type", "role")


def chunk_text(text: str, words_per_chunk: int = 3) -> list[str]:
    """Split text into delta-sized pieces (a few words each) that join back to `text`."""
    if not text:
        return []
    words = _WORDS.findall(text)
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]


def chunk_json(text: str, size: int = 12) -> list[str]:
    """Split serialized JSON into fragments, cut anywhere (inside keys and escapes too)."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def tool_input_json(value: object) -> str:
    """Tool input the way the API streams it: `{"key": "value"}`, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False)


def _start_message(message: dict) -> dict:
    start: dict = {k: message[k] for k in _START_KEYS if k in message}
    start["content"] = []
    start["stop_reason"] = None
    start["stop_sequence"] = None
    if "stop_details" in message:
        start["stop_details"] = None
    for key, value in message.items():
        if key in start or key in ("content", "usage", "container"):
            continue
        start[key] = copy.deepcopy(value)
    if "container" in message and message["container"] is None:
        start["container"] = None
    usage = message.get("usage")
    if isinstance(usage, dict):
        start_usage = {
            k: copy.deepcopy(v) for k, v in usage.items() if k not in _DELTA_ONLY_USAGE
        }
        out = usage.get("output_tokens")
        if isinstance(out, int):
            # Provisional, as the API sends it: a handful of tokens, never above the final.
            start_usage["output_tokens"] = min(out, 1 + out % 3)
        start["usage"] = start_usage
    return start


def _block_events(index: int, block: dict, words_per_chunk: int) -> list[tuple[str, dict]]:
    kind = block.get("type")
    events: list[tuple[str, dict]] = []

    def start(skeleton: dict) -> None:
        events.append(
            ("content_block_start", {"type": "content_block_start", "index": index, "content_block": skeleton})
        )

    def delta(payload: dict) -> None:
        events.append(
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": payload})
        )

    if kind == "text" and isinstance(block.get("text"), str):
        citations = block.get("citations")
        skeleton: dict = {}
        if isinstance(citations, list):
            skeleton["citations"] = []
        skeleton.update({k: copy.deepcopy(v) for k, v in block.items() if k not in ("text", "citations")})
        skeleton["text"] = ""
        if "citations" in block and not isinstance(citations, list):
            skeleton["citations"] = copy.deepcopy(citations)
        start(skeleton)
        for citation in citations if isinstance(citations, list) else ():
            delta({"type": "citations_delta", "citation": copy.deepcopy(citation)})
        for piece in chunk_text(block["text"], words_per_chunk):
            delta({"type": "text_delta", "text": piece})
    elif kind == "thinking" and isinstance(block.get("thinking"), str):
        skeleton = {k: copy.deepcopy(v) for k, v in block.items() if k not in ("thinking", "signature")}
        skeleton["thinking"] = ""
        skeleton["signature"] = ""
        start(skeleton)
        for piece in chunk_text(block["thinking"], words_per_chunk):
            delta({"type": "thinking_delta", "thinking": piece})
        if isinstance(block.get("signature"), str) and block["signature"]:
            # The API sends an empty thinking_delta right before the signature (CAP 04, 05, 09).
            delta({"type": "thinking_delta", "thinking": ""})
            delta({"type": "signature_delta", "signature": block["signature"]})
    elif kind in _JSON_INPUT_BLOCKS and isinstance(block.get("input"), dict):
        skeleton = {k: copy.deepcopy(v) for k, v in block.items() if k != "input"}
        skeleton["input"] = {}
        # Keep the API's key order: type, id, name, input, then the rest (caller...).
        ordered = {k: skeleton.pop(k) for k in ("type", "id", "name", "input") if k in skeleton}
        ordered.update(skeleton)
        start(ordered)
        delta({"type": "input_json_delta", "partial_json": ""})
        if block["input"]:
            for piece in chunk_json(tool_input_json(block["input"])):
                delta({"type": "input_json_delta", "partial_json": piece})
    else:
        start(copy.deepcopy(block))
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _message_delta(message: dict) -> dict:
    delta: dict = {
        "stop_reason": message.get("stop_reason"),
        "stop_sequence": message.get("stop_sequence"),
    }
    if "stop_details" in message:
        delta["stop_details"] = copy.deepcopy(message["stop_details"])
    if message.get("container") is not None:
        delta["container"] = copy.deepcopy(message["container"])
    payload: dict = {"type": "message_delta", "delta": delta}
    usage = message.get("usage")
    if isinstance(usage, dict):
        payload["usage"] = {k: copy.deepcopy(usage[k]) for k in _DELTA_USAGE if k in usage}
    return payload


def message_to_events(message: dict, *, words_per_chunk: int = 3) -> list[tuple[str, dict]]:
    """The (name, data) events the API streams for `message`, in order.

    `words_per_chunk` sets the size of text and thinking deltas (the API's vary; 3 words is
    close to what real streams show)."""
    events: list[tuple[str, dict]] = [
        ("message_start", {"type": "message_start", "message": _start_message(message)})
    ]
    content = message.get("content") or []
    if not content:
        events.append(("ping", {"type": "ping"}))
    for index, block in enumerate(content):
        block_events = _block_events(index, block, max(1, words_per_chunk))
        if index == 0:
            block_events.insert(1, ("ping", {"type": "ping"}))
        events.extend(block_events)
    events.append(("message_delta", _message_delta(message)))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def message_to_sse(message: dict) -> bytes:
    """The whole stream body for `message` (tests, the simulator's fixed replies)."""

    return b"".join(encode_event(name, data) for name, data in message_to_events(message))
