"""The hot paths read exactly what the general paths read: the parser's LF mode against its
line mode, and the accumulator's quick string-delta reader against json.loads."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.contract.accumulate import Accumulator
from playground.contract.quickdelta import quick_delta
from playground.contract.sse import SSEParser, parse_all

KINDS = {"text_delta": ("text", "text"), "thinking_delta": ("thinking", "thinking"),
         "input_json_delta": ("partial_json", "tool")}


@settings(max_examples=400, deadline=None)
@given(text=st.text(), index=st.integers(0, 10**6), kind=st.sampled_from(sorted(KINDS)),
       pad=st.sampled_from(["", " ", "      ", "\t \r\n"]), compact=st.booleans())
def test_it_reads_string_deltas_exactly_as_json_loads(text, index, kind, pad, compact):
    field, short = KINDS[kind]
    event = {"type": "content_block_delta", "index": index, "delta": {"type": kind, field: text}}
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=not compact) + pad
    assert json.loads(data)["delta"][field] == text
    assert quick_delta(data) == (index, short, text)


def test_it_leaves_everything_unusual_to_json_loads():
    base = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}'
    assert quick_delta(base) == (0, "text", "hi")
    for odd in [
        base.replace('"index":0', '"index":01'),  # not JSON
        base.replace('"hi"', '"h\x01i"'),  # a raw control character: not JSON
        base[:-1] + ',"extra":1}',  # more keys than the API's spelling
        base + "}",
        base.replace("}}", "} }x"),
        base.replace('"text":"hi"', '"text": "hi"'),  # another spelling: json.loads reads it
        base.replace('"text_delta"', '"citations_delta"'),
    ]:
        assert quick_delta(odd) is None, odd


def test_it_flags_a_malformed_delta_the_quick_reader_refused():
    acc = Accumulator()
    acc.add("message_start", {"type": "message_start", "message": {"id": "m", "content": [], "usage": {}}})
    acc.add("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    for ev in parse_all(b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\x01"}}\n\n'
                        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta", "text":"ok"}}\n\n'):
        acc.add_sse(ev)
    result = acc.finish()
    assert result.message["content"][0]["text"] == "ok"
    assert any("invalid JSON" in a for a in result.anomalies)


def test_it_switches_from_lf_mode_to_line_mode_mid_stream():
    lf = b"event: a\ndata: 1\n\n: note\n\nevent: b\ndata: 2\ndata: 3\n\n"
    crlf = b"event: c\r\ndata: 4\r\n\r\nevent: d\rdata: 5\r\r"
    body = lf + crlf
    expected = [("a", "1"), ("b", "2\n3"), ("c", "4"), ("d", "5")]
    for cut in range(1, len(body)):
        for step in (1, 5, 64):
            parser = SSEParser()
            events = parser.feed(body[:cut])
            for i in range(cut, len(body), step):
                events += parser.feed(body[i : i + step])
            events += parser.close()
            assert [(e.event, e.data) for e in events] == expected, (cut, step)
            assert b"".join(e.raw for e in events) == body


def test_it_keeps_memory_in_few_pieces_for_long_text():
    acc = Accumulator()
    acc.add("message_start", {"type": "message_start", "message": {"id": "m", "content": [], "usage": {}}})
    acc.add("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    for i in range(10_000):
        acc.add("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"{i} "}})
    block = acc._blocks[0]
    assert len(block.parts) + len(block.done) < 300
    assert acc.finish().message["content"][0]["text"] == "".join(f"{i} " for i in range(10_000))
