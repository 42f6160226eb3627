"""Working copies: many per user and team, each autosaved, checked, never holding secrets."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.composer.workcopies import DraftError
from playground.teams.models import Team


def _state(text: str = "Hello") -> dict:
    return {
        "request": {"model": "sim-1", "max_tokens": 256, "messages": [{"role": "user", "content": text}]},
        "provider": None,
        "headers": {"anthropic-version": "2023-06-01"},
        "mocks": {"get_weather": {"type": "static", "value": {"temp": 21}}},
        "notes": "try Paris first",
        "variables": {"sets": [{"name": "paris", "values": {"city": "Paris"}}], "active": "paris"},
    }


def test_it_round_trips_a_copy(alice):
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(alice, team, _state(), "Weather")
    again = workcopies.get_copy(alice, team, copy.public_id)
    assert again.state == _state() and again.title == "Weather"
    assert not again.unsaved


def test_opening_never_replaces_another_copy(alice):
    team = Team.objects.get(name="acme")
    first = workcopies.open_working_copy(alice, team, _state("first"))
    second = workcopies.open_working_copy(alice, team, _state("second"))
    assert [c.pk for c in workcopies.copies_for(alice, team)] == [first.pk, second.pk]
    assert workcopies.get_copy(alice, team, first.public_id).state["request"]["messages"][0]["content"] == "first"


def test_autosave_marks_a_copy_unsaved_until_it_matches_again(alice):
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(alice, team, _state("as opened"))
    workcopies.autosave(copy, _state("edited"))
    assert workcopies.get_copy(alice, team, copy.public_id).unsaved
    workcopies.autosave(copy, _state("as opened"))
    assert not workcopies.get_copy(alice, team, copy.public_id).unsaved


def test_it_keeps_copies_apart_per_user_and_team(alice, bob):
    acme = Team.objects.get(name="acme")
    globex = Team.objects.get(name="globex")
    copy = workcopies.open_working_copy(alice, acme, _state("alice's"))
    assert workcopies.get_copy(bob, globex, copy.public_id) is None
    assert workcopies.get_copy(bob, acme, copy.public_id) is None
    assert workcopies.get_copy(alice, globex, copy.public_id) is None
    assert list(workcopies.copies_for(bob, globex)) == []


def test_current_copy_is_the_last_shown_or_a_new_default(alice):
    team = Team.objects.get(name="acme")
    fresh = workcopies.current_copy(alice, team)
    assert fresh.state["request"]["model"] == "sim-1"
    other = workcopies.open_working_copy(alice, team, _state())
    workcopies.focus(other)
    assert workcopies.current_copy(alice, team).pk == other.pk
    workcopies.focus(fresh)
    assert workcopies.current_copy(alice, team).pk == fresh.pk


def test_it_drops_credential_headers(alice):
    team = Team.objects.get(name="acme")
    state = _state()
    state["headers"] = {"x-api-key": "sk-ant-secret", "Authorization": "Bearer x", "anthropic-beta": "b1"}
    copy = workcopies.open_working_copy(alice, team, state)
    assert workcopies.get_copy(alice, team, copy.public_id).state["headers"] == {"anthropic-beta": "b1"}


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"request": [], "headers": {}},
        {"request": {}, "extra": 1},
        {"request": {}, "headers": {"a": 1}},
        {"request": {}, "provider": 3},
        {"request": {}, "mocks": "x"},
        {"request": {}, "notes": 5},
        {"request": {}, "variables": {"sets": [{"name": "a"}, {"name": "a"}]}},
        {"request": {}, "variables": {"sets": [{"name": "a", "values": {"x": 1}}]}},
        {"request": {}, "variables": {"sets": [], "active": "nope"}},
    ],
)
def test_it_rejects_unusable_state_and_keeps_the_old_one(alice, bad):
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(alice, team, _state("kept"))
    with pytest.raises(DraftError):
        workcopies.autosave(copy, bad)
    assert workcopies.get_copy(alice, team, copy.public_id).state["request"]["messages"][0]["content"] == "kept"


def test_titles_are_one_line_and_bounded(alice):
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(alice, team, _state(), "  a\n<b>title</b>\x00 " + "x" * 300)
    assert copy.title.startswith("a <b>title</b> x") and len(copy.title) == workcopies.MAX_TITLE
    assert workcopies.rename(copy, "   ").title == "Untitled"


def test_it_refuses_more_than_the_limit(alice, monkeypatch):
    team = Team.objects.get(name="acme")
    monkeypatch.setattr(workcopies, "MAX_COPIES", 2)
    workcopies.open_working_copy(alice, team, _state())
    workcopies.open_working_copy(alice, team, _state())
    with pytest.raises(workcopies.CopyLimit):
        workcopies.open_working_copy(alice, team, _state())


def test_closing_deletes_only_that_copy(alice):
    team = Team.objects.get(name="acme")
    keep = workcopies.open_working_copy(alice, team, _state())
    gone = workcopies.open_working_copy(alice, team, _state())
    workcopies.close(gone)
    assert [c.pk for c in workcopies.copies_for(alice, team)] == [keep.pk]


def test_it_keeps_key_order_and_control_characters_exactly(alice):
    team = Team.objects.get(name="acme")
    state = _state("nul \x00, markup <script>x</script>, bell \x07")
    state["request"] = {"messages": state["request"]["messages"], "model": "sim-1", "max_tokens": 5}
    copy = workcopies.open_working_copy(alice, team, state)
    again = workcopies.get_copy(alice, team, copy.public_id).state
    assert again["request"]["messages"][0]["content"] == "nul \x00, markup <script>x</script>, bell \x07"
    assert list(again["request"]) == ["messages", "model", "max_tokens"]
