"""Differential check against the official SDK's own SSE decoder (`anthropic._streaming`):
on any stream of fields, comments and blank lines, with any line endings, cut anywhere, our
parser dispatches the same events with the same names and data."""

from __future__ import annotations

import random

from anthropic._streaming import SSEDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.contract.sse import SSEParser

value = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\ufeff"), max_size=12)
line = st.one_of(
    st.builds(lambda v: f"data: {v}", value),
    st.builds(lambda v: f"data:{v}", value),
    st.just("data"),
    st.builds(lambda v: f"event: {v}", value),
    st.builds(lambda v: f": {v}", value),
    st.builds(lambda v: f"unknown: {v}", value),
)
block = st.lists(line, min_size=0, max_size=4)


@settings(max_examples=500, deadline=None)
@given(blocks=st.lists(block, max_size=8), eols=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
       seed=st.integers(0, 2**32 - 1))
def test_it_dispatches_what_the_sdk_decoder_dispatches(blocks, eols, seed):
    rng = random.Random(seed)
    parts = []
    for lines in blocks:
        for text in [*lines, ""]:  # each block ends with a blank line
            parts.append(text + rng.choice(eols))
    # A last, plain event: everything before it is complete, for both decoders.
    body = "".join(parts).encode() + b"event: end\ndata: x\n\n"

    sdk = [(e.event, e.data) for e in SSEDecoder().iter_bytes(iter([body]))]

    parser, ours, pos = SSEParser(), [], 0
    while pos < len(body):
        step = rng.randint(1, 9)
        ours += parser.feed(body[pos : pos + step])
        pos += step
    ours += parser.close()
    assert [(e.event, e.data) for e in ours] == sdk
    assert all(e.terminated for e in ours)
    assert b"".join(e.raw for e in ours) == body
