"""The list query: filters, text search and keyset pages, only ever within one team."""

from __future__ import annotations

from playground.recording.queries import search_exchanges
from tests.recording.helpers import record, team_of


def _reply(text: str, model: str, tool: str | None = None) -> dict:
    content = [{"type": "text", "text": text}]
    if tool:
        content.append({"type": "tool_use", "id": "toolu_1", "name": tool, "input": {"city": "Oslo"}})
    return {"type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use" if tool else "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 3}}


def _ask(team, prompt: str, model: str = "claude-haiku-4-5", **kwargs):
    return record({"model": model, "max_tokens": 8, "messages": [{"role": "user", "content": prompt}]},
                  response=kwargs.pop("response", None) or _reply(f"re: {prompt}", model), team=team,
                  **kwargs).public_id


def test_it_filters_and_searches_within_the_team(alice, bob):
    acme, globex = team_of(alice), team_of(bob)
    weather = _ask(acme, "Weather in Oslo?", response=_reply("Checking", "claude-haiku-4-5", "get_weather"))
    sonnet = _ask(acme, "Weather in Paris?", model="claude-sonnet-4-5")
    _ask(acme, "Write a haiku about autumn")
    failed = record({"model": "claude-haiku-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]},
                    response={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
                    status=529, team=acme).public_id
    _ask(globex, "Weather in Oslo?")

    def ids(filters=None, query=""):
        return [e.public_id for e in search_exchanges(acme, filters or {}, query).exchanges]

    assert ids(query="weather") == [sonnet, weather]
    assert ids(query="OSLO") == [weather]  # case-insensitive substring, tool inputs included
    assert ids({"model": "claude-haiku-4-5"}, "weather") == [weather]
    assert ids({"tool": "get_weather"}) == [weather]
    assert ids({"stop_reason": "tool_use"}) == [weather]
    assert ids({"has_error": True}) == [failed]
    assert ids({"outcome": "upstream_error"}) == [failed]
    assert ids({"source": "playground"}) == []
    assert ids({"proxy_key": "ci"})[0] == failed
    assert ids(query="oslo weather") == []
    assert len(ids()) == 4
    assert search_exchanges(None, {}, "").exchanges == []


def test_it_pages_newest_first_by_keyset(alice):
    team = team_of(alice)
    made = [_ask(team, f"question number {i}") for i in range(7)]
    seen = []
    before = None
    while True:
        page = search_exchanges(team, {}, "question", before=before, limit=3)
        seen += [e.public_id for e in page.exchanges]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == list(reversed(made))


def test_it_searches_short_terms_without_the_index(alice):
    team = team_of(alice)
    hit = _ask(team, "go to Oz")
    _ask(team, "nothing here")
    assert [e.public_id for e in search_exchanges(team, {}, "oz").exchanges] == [hit]


def test_it_searches_wildcard_characters_literally(alice):
    team = team_of(alice)
    literal = _ask(team, "save 50%_off today")
    _ask(team, "save 50 and more off today")
    _ask(team, "path C:\\temp\\x")
    assert [e.public_id for e in search_exchanges(team, {}, "50%_off").exchanges] == [literal]
    assert len(search_exchanges(team, {}, "\\temp").exchanges) == 1


def test_it_bounds_the_scan_for_short_terms(alice, monkeypatch):
    from playground.recording import queries

    team = team_of(alice)
    _ask(team, "go to Oz")
    newer = _ask(team, "nothing here")
    monkeypatch.setattr(queries, "SHORT_TERM_WINDOW", 1)
    assert search_exchanges(team, {}, "oz").exchanges == []
    assert [e.public_id for e in search_exchanges(team, {}, "he").exchanges] == [newer]


def test_it_searches_a_query_with_a_nul_byte_without_a_database_error(alice):
    acme = team_of(alice)
    oslo = _ask(acme, "Weather in Oslo?")

    def ids(filters=None, query=""):
        return [e.public_id for e in search_exchanges(acme, filters or {}, query).exchanges]

    assert ids(query="Oslo\x00") == []
    assert ids({"model": "claude-haiku-4-5\x00"}) == []
    assert ids(query="Oslo") == [oslo]
