"""encode_event writes events the way the API does, and the parser reads them back."""

from __future__ import annotations

import json

from playground.contract.sse import encode_event, parse_all


def test_it_writes_event_data_and_blank_line():
    raw = encode_event("message_stop", {"type": "message_stop"})
    assert raw == b'event: message_stop\ndata: {"type":"message_stop"}\n\n'


def test_it_spells_ping_like_the_api():
    assert encode_event("ping", {"type": "ping"}) == b'event: ping\ndata: {"type": "ping"}\n\n'


def test_it_keeps_non_ascii_as_utf8_and_newlines_escaped():
    data = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "é\n\r\u2028🦩"}}
    raw = encode_event("content_block_delta", data)
    assert "é".encode() in raw
    assert raw.count(b"\n") == 3  # only the event line, the data line and the blank line
    [ev] = parse_all(raw)
    assert json.loads(ev.data) == data
