"""The library search gives the same pages whichever plan serves it: few matches sorted,
many matches found by walking the sort order, short terms in a bounded window."""

from __future__ import annotations

import pytest

from playground.library import ops, search
from playground.library.search import Filters, parse_filters, search_library
from tests.library.conftest import sample_state


@pytest.fixture
def requests(acme, alice):
    made = []
    for i in range(7):
        state = sample_state(f"invoice number {i}" if i % 2 == 0 else f"receipt {i}")
        state["request"]["tools"][0]["name"] = "lookup" if i % 3 == 0 else "other"
        made.append(ops.create_saved_request(acme, alice, f"req {i}", state, tags=["even" if i % 2 == 0 else "odd"]))
    return made


CASES = [
    {"q": "invoice"},
    {"q": "INVOICE number"},
    {"tag": "even"},
    {"tool": "lookup"},
    {"tag": "even", "tool": "lookup"},
    {"tag": "odd", "q": "receipt"},
    {"q": "invoice", "sort": "name"},
    {"q": "nu"},
    {"q": "invoice", "page": 2},
]


@pytest.mark.parametrize("params", CASES)
def test_it_finds_the_same_page_however_many_match(requests, acme, monkeypatch, params):
    filters = Filters(**params)
    expected = [r.name for r in search_library(acme, filters, limit=2).rows]
    monkeypatch.setattr(search, "CANDIDATES", 1)  # PostgreSQL: always walk the sort order
    monkeypatch.setattr(search, "SHORT_TERM_WINDOW", 100)
    assert [r.name for r in search_library(acme, filters, limit=2).rows] == expected
    assert expected, "every case matches something"


def test_it_orders_matches_by_recent_use(requests, acme):
    ops.record_run(requests[2], "ex-2")
    names = [r.name for r in search_library(acme, Filters(q="invoice")).rows]
    assert names == ["req 2", "req 6", "req 4", "req 0"]


def test_it_searches_short_terms_only_in_the_window(requests, acme, monkeypatch):
    monkeypatch.setattr(search, "SHORT_TERM_WINDOW", 2)
    assert [r.name for r in search_library(acme, Filters(q="nu")).rows] == ["req 6"]


def test_it_escapes_like_wildcards(requests, acme):
    assert search_library(acme, Filters(q="%")).rows == []
    assert search_library(acme, Filters(q="_n_")).rows == []
    assert search_library(acme, Filters(q='"invoice')).rows == []


def test_it_reads_filters_and_notes_what_it_ignored():
    filters, notes = parse_filters({"q": " x ", "sort": "bogus", "page": "0"})
    assert (filters.q, filters.sort, filters.page) == ("x", "used", 1)
    assert len(notes) == 2
    assert filters.query_items(page=3) == [("q", "x"), ("page", "3")]
