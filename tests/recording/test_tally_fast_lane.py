"""The recorder's fast lane reads a stream exactly as the SSE parser and the accumulator do.

`StreamTally.add_chunk` reads whole string-delta events in the API's exact spelling itself
(`tally.delta_event`) and hands everything else to the parser. Whatever the stream
and wherever it is cut, the event rows and the rebuilt message must equal the general
path's: parse every event, feed each to `Accumulator.add_sse`.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.contract.accumulate import Accumulator
from playground.contract.sse import parse_all
from playground.recording.tally import StreamTally, delta_event


def sse(name: str, data: dict | str, compact: bool = True) -> bytes:
    if not isinstance(data, str):
        data = json.dumps(data, separators=(",", ":") if compact else None, ensure_ascii=False)
    return f"event: {name}\ndata: {data}\n\n".encode("utf-8", "surrogatepass")


def delta(index: int, text: str, kind: str = "text_delta", field: str = "text", **dumps) -> bytes:
    return sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                       "delta": {"type": kind, field: text}}, **dumps)


START = sse("message_start", {"type": "message_start", "message": {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "sim-1", "content": [],
    "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1}}})


def block_start(index: int, block: dict) -> bytes:
    return sse("content_block_start", {"type": "content_block_start", "index": index,
                                       "content_block": block})


def block_stop(index: int) -> bytes:
    return sse("content_block_stop", {"type": "content_block_stop", "index": index})


END = (sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                                  "stop_sequence": None},
                             "usage": {"output_tokens": 9}})
       + sse("message_stop", {"type": "message_stop"}))


def general(stream: bytes):
    """The reference: every event through the parser and `add_sse`; what its event rows
    would hold (the bytes, then name and length per event, and whether the last was cut)
    and the flags the raw events raise."""
    acc = Accumulator()
    events = parse_all(stream)
    for ev in events:
        acc.add_sse(ev)
    rows = (
        b"".join(ev.raw for ev in events),
        [[1.0, ev.event or "", len(ev.raw)] for ev in events],
        bool(events) and not events[-1].terminated,
    )
    flags = {"non_utf8_event": any(ev.utf8_error for ev in events),
             "unterminated_last_event": any(not ev.terminated for ev in events)}
    return rows, flags, acc.finish()


def tallied(stream: bytes, cuts: list[int]):
    """The tally fed `stream` cut at `cuts`, its runs taken after every chunk (as the writer
    takes them, one batch at a time) and joined back."""
    tally = StreamTally()
    runs = []
    start = 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        if cut > start:
            tally.add_chunk(1.0, stream[start:cut])
            runs.append(tally.take_run())
            start = cut
    tally.close()
    runs = [run for run in [*runs, tally.take_run()] if run is not None]
    seq = 0
    for run in runs:  # numbered on from run to run
        assert run.first_seq == seq
        seq += len(run.index)
    assert seq == tally.count
    rows = (
        b"".join(run.raw for run in runs),
        [entry for run in runs for entry in run.index],
        bool(runs) and runs[-1].last_unterminated,
    )
    flags = {flag: flag in tally.anomalies() for flag in ("non_utf8_event", "unterminated_last_event")}
    return rows, flags, tally.result()


def assert_same(stream: bytes, cuts: list[int]) -> None:
    want_rows, want_flags, want = general(stream)
    got_rows, got_flags, got = tallied(stream, cuts)
    assert got_rows == want_rows
    assert got_flags == want_flags
    assert got.message == want.message
    assert got.outcome == want.outcome
    assert got.anomalies == want.anomalies
    assert got.partial_json == want.partial_json


def test_delta_event_reads_the_three_string_kinds_with_escapes():
    for kind, field, short in [("text_delta", "text", "text"), ("thinking_delta", "thinking", "thinking"),
                               ("input_json_delta", "partial_json", "tool")]:
        for text in ["", "plain", 'quote " and \\ slash', "tab\tnew\nline", "é ü 日本", "\ud83d\ude00",
                     "lone \ud83d", "\x7f\u2028"]:
            for ascii_only in (True, False):
                data = json.dumps({"type": "content_block_delta", "index": 7,
                                   "delta": {"type": kind, field: text}},
                                  separators=(",", ":"), ensure_ascii=ascii_only)
                raw = f"event: content_block_delta\ndata: {data}\n\n".encode("utf-8", "surrogatepass")
                found = delta_event(b"xx" + raw + b"event: ping", 2)
                if not ascii_only and "\ud83d" in text:
                    assert found is None  # raw surrogates are not UTF-8: the parser flags them
                    continue
                value = json.loads(data)["delta"][field]
                assert found == (2 + len(raw), 7, short, value), (kind, text)


def test_delta_event_leaves_every_other_spelling_to_the_parser():
    base = delta(0, "hi")
    assert delta_event(base, 0) is not None
    for odd in [
        base.replace(b"\n", b"\r\n"),
        base.replace(b"event: ", b"event:"),
        base.replace(b"data: ", b"data:"),
        base.replace(b'"index":0', b'"index":01'),
        base.replace(b'"hi"', b'"h\x01i"'),
        base.replace(b'"hi"', b'"h\\xi"'),
        base.replace(b'"hi"', b'"\\u12"'),
        base.replace(b'"hi"', b'"\xff"'),
        base.replace(b'"text":"hi"', b'"text": "hi"'),
        base.replace(b"}}\n\n", b"},\"x\":1}\n\n"),
        base.replace(b"\n\n", b"\n"),
        base.replace(b"\n\n", b"\nid: 4\n\n"),
        base.replace(b'"text_delta"', b'"citations_delta"'),
        b": comment\n" + base,
    ]:
        assert delta_event(odd, 0) is None, odd


def test_a_delta_for_no_live_block_is_read_the_slow_way_and_flagged():
    stream = (START + delta(0, "early") + block_start(0, {"type": "text", "text": ""}) + delta(0, "a")
              + delta(1, "nowhere") + delta(0, "{}", "input_json_delta", "partial_json")
              + block_stop(0) + delta(0, "late") + END + delta(0, "after"))
    for step in (1, 7, 64, len(stream)):
        assert_same(stream, list(range(step, len(stream), step)))
    _rows, _flags, result = tallied(stream, [])
    assert result.message["content"][0]["text"].startswith("a")
    assert len(result.anomalies) >= 4


def test_a_carriage_return_mid_stream_hands_the_rest_to_the_parser():
    stream = (START + block_start(0, {"type": "text", "text": ""}) + delta(0, "lf ")
              + delta(0, "crlf ").replace(b"\n", b"\r\n") + delta(0, "again") + block_stop(0) + END)
    for cut in range(len(stream)):
        assert_same(stream, [cut])
    assert tallied(stream, [])[2].message["content"][0]["text"] == "lf crlf again"


def test_a_byte_order_mark_and_comments_keep_their_bytes():
    stream = (b"\xef\xbb\xbf" + START + b": keep-alive\n\n" + block_start(0, {"type": "text", "text": ""})
              + b"\n" + delta(0, "x") + b": ping\n\n" + delta(0, "y") + block_stop(0) + END + b": tail")
    for cut in range(len(stream)):
        assert_same(stream, [cut])


_texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(['"', "\\", "\n", "\ud83d"]),
                 max_size=12)
_piece = st.one_of(
    st.tuples(st.just("text"), _texts, st.booleans()),
    st.tuples(st.just("tool"), _texts, st.booleans()),
    st.tuples(st.just("thinking"), _texts, st.booleans()),
    st.tuples(st.just("raw"), st.sampled_from([
        b": keep-alive\n\n", b"\n", b'event: ping\ndata: {"type": "ping"}\n\n',
        b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        b"\"delta\":{\"type\":\"text_delta\",\"text\":\"\xff\"}}\n\n",
        b"event: content_block_delta\ndata: not json\n\n",
        b"event: content_block_delta\r\ndata: {}\r\n\r\n",
    ]), st.just(True)),
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_piece, max_size=20), cuts=st.lists(st.integers(0, 3000), max_size=8),
       stop_early=st.booleans())
def test_any_stream_cut_anywhere_tallies_as_the_general_path(pieces, cuts, stop_early):
    body = [START, block_start(0, {"type": "text", "text": ""}),
            block_start(1, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
            block_start(2, {"type": "thinking", "thinking": "", "signature": ""})]
    for kind, value, compact in pieces:
        if kind == "raw":
            body.append(value)
        elif kind == "text":
            body.append(delta(0, value, compact=compact))
        elif kind == "tool":
            body.append(delta(1, value, "input_json_delta", "partial_json", compact=compact))
        else:
            body.append(delta(2, value, "thinking_delta", "thinking", compact=compact))
    body += [block_stop(1), END] if not stop_early else []
    stream = b"".join(body)
    assert_same(stream, [c for c in cuts if c < len(stream)])


def test_a_stream_cut_inside_its_last_event_marks_that_event():
    stream = START + block_start(0, {"type": "text", "text": ""}) + delta(0, "x") + delta(0, "cut")[:-1]
    for cut in range(0, len(stream), 5):
        assert_same(stream, [cut])
    rows, flags, _result = tallied(stream, [])
    assert rows[2] and flags["unterminated_last_event"]
