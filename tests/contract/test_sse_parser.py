"""The SSE parser: bytes in, events out, whatever the line endings and chunk boundaries."""

from __future__ import annotations

import json

import pytest

from playground.contract.sse import SSEParser, parse_all
from tests.conftest import all_captures, load_capture

STREAMED = [n for n in all_captures() if load_capture(n).get("response_sse")]


def feed_in_pieces(body: bytes, size: int) -> list:
    parser = SSEParser()
    out = []
    for i in range(0, len(body), size):
        out += parser.feed(body[i : i + size])
    return out + parser.close()


def fields(events) -> list[tuple]:
    return [(e.event, e.data, e.id, e.retry, e.raw, e.terminated) for e in events]


def test_it_parses_a_plain_event():
    [ev] = parse_all(b'event: message_stop\ndata: {"type":"message_stop"}\n\n')
    assert ev.event == "message_stop"
    assert json.loads(ev.data) == {"type": "message_stop"}
    assert ev.terminated is True
    assert ev.raw == b'event: message_stop\ndata: {"type":"message_stop"}\n\n'


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_it_accepts_each_line_ending(eol):
    body = eol.join([b"event: ping", b'data: {"type": "ping"}', b"", b"event: x", b"data: 1", b"", b""])
    events = parse_all(body)
    assert [(e.event, e.data) for e in events] == [("ping", '{"type": "ping"}'), ("x", "1")]
    assert b"".join(e.raw for e in events) == body


def test_it_joins_multi_line_data_with_newlines():
    [ev] = parse_all(b"data: first\ndata:second\ndata:  third\n\n")
    # One space after the colon is dropped, not two.
    assert ev.data == "first\nsecond\n third"
    assert ev.event is None


def test_it_skips_comments_and_keeps_their_bytes():
    body = b": keep-alive\n\n:another\nevent: a\n: inside\ndata: 1\n\n"
    events = parse_all(body)
    assert [(e.event, e.data) for e in events] == [("a", "1")]
    assert events[0].raw == body


def test_it_reports_trailing_comments_at_close():
    body = b"event: a\ndata: 1\n\n: bye\n"
    events = parse_all(body)
    assert [(e.event, e.data) for e in events] == [("a", "1"), (None, "")]
    assert events[1].raw == b": bye\n"


def test_it_reports_an_unterminated_final_event():
    body = b'event: a\ndata: 1\n\nevent: content_block_delta\ndata: {"type":"content_bl'
    events = parse_all(body)
    assert len(events) == 2
    last = events[1]
    assert last.terminated is False
    assert last.event == "content_block_delta"
    assert last.data == '{"type":"content_bl'
    assert b"".join(e.raw for e in events) == body


def test_it_reports_an_event_missing_only_its_blank_line():
    events = parse_all(b"event: a\ndata: 1\n")
    assert [(e.event, e.data, e.terminated) for e in events] == [("a", "1", False)]


def test_it_keeps_unknown_event_names():
    [ev] = parse_all(b'event: brand_new_thing\ndata: {"type":"brand_new_thing"}\n\n')
    assert ev.event == "brand_new_thing"


def test_it_reads_id_and_retry_and_ignores_unknown_fields():
    events = parse_all(b"id: 7\nretry: 1500\nfoo: bar\ndata: a\n\ndata: b\n\nretry: soon\ndata: c\n\n")
    assert [(e.id, e.retry, e.data) for e in events] == [("7", 1500, "a"), ("7", None, "b"), ("7", None, "c")]


def test_it_treats_a_field_without_colon_as_empty_value():
    [ev] = parse_all(b"event: a\ndata\n\n")
    assert (ev.event, ev.data) == ("a", "")


def test_it_strips_a_leading_byte_order_mark():
    [ev] = parse_all(b"\xef\xbb\xbfevent: a\ndata: 1\n\n")
    assert ev.event == "a"
    assert ev.raw.startswith(b"\xef\xbb\xbf")


def test_it_survives_a_chunk_boundary_inside_a_utf8_character():
    body = 'event: content_block_delta\ndata: {"text":"Pelé 🦩"}\n\n'.encode()
    whole = parse_all(body)
    assert json.loads(whole[0].data) == {"text": "Pelé 🦩"}
    for cut in range(1, len(body)):
        parser = SSEParser()
        events = parser.feed(body[:cut]) + parser.feed(body[cut:]) + parser.close()
        assert fields(events) == fields(whole), cut


def test_it_survives_a_chunk_boundary_inside_crlf():
    body = b"event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n"
    for cut in range(1, len(body)):
        parser = SSEParser()
        events = parser.feed(body[:cut]) + parser.feed(body[cut:]) + parser.close()
        assert [(e.event, e.data) for e in events] == [("a", "1"), ("b", "2")], cut
        assert b"".join(e.raw for e in events) == body


def test_it_flags_bytes_that_are_not_utf8():
    [ev] = parse_all(b"event: a\ndata: caf\xe9\n\n")
    assert ev.utf8_error is True
    assert ev.data == "caf\ufffd"


@pytest.mark.parametrize("name", STREAMED)
@pytest.mark.parametrize("size", [1, 3, 64, 4096])
def test_it_parses_every_capture_identically_in_any_chunking(name, size):
    body = load_capture(name)["response_sse"].encode()
    whole = parse_all(body)
    assert fields(feed_in_pieces(body, size)) == fields(whole)
    assert b"".join(e.raw for e in whole) == body
    assert whole[0].event == "message_start"
    assert whole[-1].event == "message_stop"
    for ev in whole:
        assert json.loads(ev.data)["type"] == ev.event


@pytest.mark.parametrize("name", STREAMED)
@pytest.mark.parametrize("eol", [b"\r\n", b"\r"])
def test_it_parses_captures_rewritten_with_other_line_endings(name, eol):
    body = load_capture(name)["response_sse"].encode()
    variant = body.replace(b"\n", eol)
    assert [(e.event, e.data) for e in parse_all(variant)] == [(e.event, e.data) for e in parse_all(body)]
    assert fields(feed_in_pieces(variant, 7)) == fields(parse_all(variant))


def test_it_refuses_feed_after_close():
    parser = SSEParser()
    parser.close()
    with pytest.raises(ValueError):
        parser.feed(b"data: x\n\n")


def test_it_splits_lines_only_on_cr_and_lf():
    # JSON may carry raw U+2028/U+2029 and other "line breaks" str.splitlines would cut at.
    data = '{"text":"a\u2028b\u2029c\x85d"}'.encode() + b"\x0b\x0c\x1c"
    [ev] = parse_all(b"event: x\ndata: " + data + b"\n\n")
    assert ev.data.encode() == data


def test_it_reads_a_stream_whose_line_endings_change_midway():
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


def test_an_empty_stream_has_no_events():
    assert parse_all(b"") == []
