"""EventCutter: what the proxy forwards is the input, cut only after complete events."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.contract.sse import EventCutter, SSEParser, parse_all
from tests.conftest import all_captures, load_capture

STREAMED = [n for n in all_captures() if load_capture(n).get("response_sse")]

event = st.one_of(
    st.builds(
        lambda name, data: f"event: {name}\ndata: {data}\n\n".encode(),
        st.sampled_from(["content_block_delta", "ping", "message_stop", "error"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30),
    ),
    st.just(b": keep-alive\n\n"),
    st.just(b"\n"),
    st.just(b"data: a\ndata: b\n\n"),
    st.builds(lambda s: s.encode(), st.text(alphabet="x:\n ", max_size=12)),
)


def cut(stream: bytes, sizes: list[int]) -> tuple[list[bytes], EventCutter]:
    cutter = EventCutter()
    pieces, pos, i = [], 0, 0
    while pos < len(stream):
        size = sizes[i % len(sizes)]
        i += 1
        pieces.append(cutter.feed(stream[pos : pos + size]))
        pos += size
    return pieces, cutter


@settings(max_examples=300, deadline=None)
@given(st.lists(event, max_size=20), st.lists(st.integers(1, 40), min_size=1, max_size=8))
def test_lf_stream_is_forwarded_unchanged_and_only_after_blank_lines(events, sizes):
    stream = b"".join(events)
    pieces, cutter = cut(stream, sizes)
    forwarded = b"".join(pieces)
    assert stream.startswith(forwarded)
    held = stream[len(forwarded) :]
    # Nothing complete is held back: the rest holds no blank line.
    assert b"\n\n" not in held
    for piece in pieces:
        if piece:
            assert piece.endswith(b"\n\n") or piece == b"\n"
    # Every event complete in the stream is in what was forwarded, in full.
    parser = SSEParser()
    complete = b"".join(e.raw for e in parser.feed(stream))
    assert forwarded.startswith(complete)
    assert cutter.finish() == b""


@settings(max_examples=200, deadline=None)
@given(st.lists(event, max_size=15), st.lists(st.integers(1, 40), min_size=1, max_size=8))
def test_crlf_streams_switch_to_the_parser_and_keep_every_byte(events, sizes):
    stream = b"".join(events).replace(b"\n", b"\r\n")
    pieces, cutter = cut(stream, sizes)
    forwarded = b"".join(pieces) + cutter.finish()
    assert stream.startswith(forwarded)
    parser = SSEParser()
    whole = parser.feed(stream)
    # Every event the parser completes is forwarded, byte for byte, in order.
    assert forwarded.startswith(b"".join(e.raw for e in whole))


def test_a_blank_line_split_across_two_chunks_cuts_at_once():
    cutter = EventCutter()
    assert cutter.feed(b"event: ping\ndata: {}\n") == b""
    assert cutter.feed(b"\nevent: message_stop") == b"event: ping\ndata: {}\n\n"
    assert cutter.feed(b"\ndata: {}\n\n") == b"event: message_stop\ndata: {}\n\n"


def test_a_large_event_in_small_pieces_is_held_until_complete():
    cutter = EventCutter()
    body = b"data: " + b"x" * 100_000 + b"\n\n"
    out = [cutter.feed(body[i : i + 7]) for i in range(0, len(body), 7)]
    assert b"".join(out) == body
    assert all(piece == b"" for piece in out[:-1])


@pytest.mark.parametrize("name", STREAMED)
@pytest.mark.parametrize("sizes", [[1], [13, 400], [4096]])
def test_captured_streams_are_forwarded_whole(name, sizes):
    stream = load_capture(name)["response_sse"].encode()
    pieces, cutter = cut(stream, sizes)
    forwarded = b"".join(pieces) + cutter.finish()
    assert forwarded == b"".join(e.raw for e in parse_all(stream) if e.terminated)
