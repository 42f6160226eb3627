"""Diff two exchanges: request changes by JSON path and section, response text side by side."""

from __future__ import annotations

from playground.inspector.diff import cache_breakpoints, diff_requests, side_by_side
from tests.inspector.loop import record_loop
from tests.inspector.recorded import record

BASE = {"model": "claude-haiku-4-5", "max_tokens": 100, "temperature": 0.2,
        "system": [{"type": "text", "text": "Be terse."}],
        "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "Name a colour."}]}


def _reply(text):
    return {"id": "m", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 2}}


def test_it_groups_request_changes_by_section_and_path():
    other = {**BASE, "temperature": 0.9, "system": [{"type": "text", "text": "Be verbose.",
                                                     "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
             "messages": [*BASE["messages"], {"role": "assistant", "content": "Blue"}]}
    other.pop("tools")
    diff = diff_requests(BASE, other)
    params = {c.path: c for c in diff.sections["params"]}
    assert params["temperature"].before == "0.2" and params["temperature"].after == "0.9"
    assert {c.path for c in diff.sections["system"]} >= {"system[0].text", "system[0].cache_control.type"}
    assert [c.kind for c in diff.sections["tools"]] and all(c.kind == "removed" for c in diff.sections["tools"])
    assert any(c.path == "messages[1].role" and c.kind == "added" for c in diff.sections["messages"])
    assert [c.after for c in diff.sections["cache breakpoints"]] == ["system[0] (1h)"]
    assert diff_requests(BASE, dict(BASE)).total == 0


def test_it_lists_breakpoints_in_cache_order():
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}]}],
            "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            "tools": [{"name": "t", "cache_control": {"type": "ephemeral"}}]}
    assert cache_breakpoints(body) == ["tools[0] (5m)", "system[0] (1h)", "messages[0].content[0] (5m)"]


def test_it_aligns_response_text_side_by_side():
    rows = side_by_side("a\nb\nc", "a\nB\nc\nd")
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("equal", "a", "a"), ("replace", "b", "B"), ("equal", "c", "c"), ("insert", "", "d")]


def test_it_renders_the_diff_page_for_two_exchanges(client, alice):
    a = record(alice, BASE, response=_reply("Blue.\nA calm colour."))
    b = record(alice, {**BASE, "model": "claude-sonnet-4-5", "temperature": 1.0}, response=_reply("Red.\nA calm colour."))
    client.force_login(alice)
    html = client.get(f"/exchanges/diff/?a={a.public_id}&b={b.public_id}").content.decode()
    assert "temperature" in html and "claude-sonnet-4-5" in html
    assert '<tr class="replace"><td>Blue.</td><td>Red.</td></tr>' in html
    assert '<tr class="equal"><td>A calm colour.</td><td>A calm colour.</td></tr>' in html


def test_it_refuses_to_diff_another_teams_exchange(client, alice, bob):
    a = record(alice, BASE, response=_reply("Blue."))
    b = record(bob, BASE, response=_reply("Red."))
    client.force_login(alice)
    response = client.get(f"/exchanges/diff/?a={a.public_id}&b={b.public_id}")
    assert response.status_code == 404
    assert "Red." not in response.content.decode()


def test_it_diffs_thread_steps_by_message(client, alice):
    step0, step1, _ = record_loop(alice)
    client.force_login(alice)
    html = client.get(f"/exchanges/diff/?a={step0.public_id}&b={step1.public_id}").content.decode()
    assert "messages[2].content[0].tool_use_id" in html
    assert "toolu_A" in html


def test_it_offers_the_teams_recent_exchanges_to_diff_with(client, alice, bob):
    mine = record(alice, BASE, response=_reply("Blue."))
    other = record(alice, BASE, response=_reply("Green."))
    theirs = record(bob, BASE, response=_reply("Red."))
    client.force_login(alice)
    for url in (mine.get_absolute_url(), "/exchanges/diff/"):
        html = client.get(url).content.decode()
        assert f'<option value="{other.public_id}">' in html
        assert theirs.public_id not in html
