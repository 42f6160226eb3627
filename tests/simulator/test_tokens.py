"""The token estimate: lossless splitting and exact truncation, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.simulator import tokens


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab é\n\t.,😀")), max_size=80), limit=st.integers(0, 40))
def test_it_splits_losslessly_and_truncates_exactly(text, limit):
    parts = tokens.pieces(text)
    assert "".join(parts) == text
    assert tokens.count(text) == len(parts)
    cut = tokens.truncate(text, limit)
    assert text.startswith(cut)
    assert tokens.count(cut) == min(limit, len(parts))


def test_it_counts_words_and_long_words():
    assert tokens.count("hello world") == 2
    assert tokens.count("extraordinarily") == 3
    assert tokens.count("") == 0


def test_it_counts_big_texts_the_same_way():
    text = "lorem ipsum dolorsitamet " * 20_000
    assert len(text) > 256 * 1024
    # lorem, " ipsum", " dolors", "itamet" per repeat, then the trailing space on its own
    assert tokens.count(text) == len(tokens.pieces(text)) == 4 * 20_000 + 1
