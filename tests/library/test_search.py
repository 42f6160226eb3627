"""The library search gives the same pages whichever plan serves it: few matches sorted,
many matches found by walking the sort order, short terms in a bounded window."""

from __future__ import annotations

import pytest

from playground.library import ops, search
from playground.library.models import SavedRequest
from playground.library.search import (
    Filters,
    decode_cursor,
    encode_cursor,
    parse_filters,
    position_of,
    search_library,
)
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
    {"q": "invoice", "after": "first row"},
    {"tag": "even", "sort": "name", "after": "first row"},
]


@pytest.mark.parametrize("params", CASES)
def test_it_finds_the_same_page_however_many_match(requests, acme, monkeypatch, params):
    filters = Filters(**params)
    if params.get("after"):
        first = search_library(acme, Filters(**{**params, "after": None}), limit=1).rows[0]
        filters.after = position_of(filters.sort, first)
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
    filters, notes = parse_filters({"q": " x ", "sort": "bogus", "page": "0", "cursor": "x~y"})
    assert (filters.q, filters.sort, filters.after) == ("x", "used", None)
    assert len(notes) == 2
    assert filters.query_items() == [("q", "x")]


def _walk(team, filters: Filters, limit: int) -> tuple[list[list[str]], list[list[str]]]:
    """Every page forwards by `cursor`, then every page back by `before` from the last."""
    forwards: list[list[str]] = []
    while True:
        page = search_library(team, filters, limit=limit)
        forwards.append([r.name for r in page.rows])
        assert len(forwards) < 50
        if not page.has_next:
            break
        filters, _ = parse_filters({**dict(filters.query_items()), "cursor": page.next_cursor})
    backwards = [forwards[-1]]
    while page.has_prev:
        filters, _ = parse_filters({**dict(filters.query_items()), "before": page.prev_cursor})
        page = search_library(team, filters, limit=limit)
        backwards.insert(0, [r.name for r in page.rows])
        assert len(backwards) < 50
    return forwards, backwards


@pytest.mark.parametrize("params", [{}, {"sort": "name"}, {"q": "invoice"}, {"tag": "even"}, {"q": "in", "tool": "lookup"}])
def test_cursors_walk_every_row_once_in_order_even_when_sort_keys_tie(acme, alice, monkeypatch, params):
    made = []
    for i in range(11):
        state = sample_state(f"invoice {i}")
        state["request"]["tools"][0]["name"] = "lookup"
        made.append(ops.create_saved_request(acme, alice, f"same {i // 4}", state, tags=["even"]))
    # Four rows share each name, and every row the same time of use: only the id breaks ties.
    SavedRequest.objects.filter(pk__in=[s.pk for s in made]).update(used_at=made[0].used_at)
    monkeypatch.setattr(search, "CANDIDATES", 2)  # PostgreSQL walks the sort order too
    expected = [r.name for r in search_library(acme, Filters(**params), limit=100).rows]
    assert len(expected) == 11
    forwards, backwards = _walk(acme, Filters(**params), limit=3)
    assert [len(p) for p in forwards] == [3, 3, 3, 2]
    assert sum(forwards, []) == expected
    assert backwards == forwards


@pytest.mark.parametrize("cursor", [
    "", "~", "x~1", "2026-02-30T00:00:00+00:00~5", "2026-01-01T00:00:00~5", "2026-01-01T00:00:00+00:00~-1",
    "2026-01-01T00:00:00+00:00~99999999999999999999", "2026-01-01T00:00:00+00:00~١", "a\x00b~1",
    "\ud800~1", "1" * 5000,
])
def test_bad_cursors_do_not_decode(cursor):
    assert decode_cursor("used", cursor) is None
    filters, notes = parse_filters({"cursor": cursor})
    assert filters.after is None and filters.before is None
    assert bool(notes) == bool(cursor)


def test_a_cursor_round_trips(saved):
    assert decode_cursor("used", encode_cursor("used", saved)) == (saved.used_at, saved.id)
    assert decode_cursor("name", encode_cursor("name", saved)) == ("Weather loop", saved.id)
    assert decode_cursor("name", "a~b~7") == ("a~b", 7)
