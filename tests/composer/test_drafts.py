"""Drafts: saved per user and team, replaced whole, validated, never holding secrets."""

from __future__ import annotations

import pytest

from playground.composer import drafts
from playground.teams.models import Team


def _state(text: str = "Hello") -> dict:
    return {
        "request": {"model": "sim-1", "max_tokens": 256, "messages": [{"role": "user", "content": text}]},
        "provider": None,
        "headers": {"anthropic-version": "2023-06-01"},
        "mocks": {"get_weather": {"type": "static", "value": {"temp": 21}}},
    }


def test_it_round_trips_a_draft(alice):
    team = Team.objects.get(name="acme")
    drafts.save_draft(alice, team, _state())
    assert drafts.load_draft(alice, team) == _state()


def test_it_replaces_the_previous_draft(alice):
    team = Team.objects.get(name="acme")
    drafts.save_draft(alice, team, _state("first"))
    drafts.save_draft(alice, team, _state("second"))
    loaded = drafts.load_draft(alice, team)
    assert loaded["request"]["messages"][0]["content"] == "second"
    assert alice.drafts.count() == 1


def test_it_keeps_drafts_apart_per_user_and_team(alice, bob):
    acme = Team.objects.get(name="acme")
    globex = Team.objects.get(name="globex")
    drafts.save_draft(alice, acme, _state("alice's"))
    assert drafts.load_draft(bob, globex) is None
    assert drafts.load_draft(bob, acme) is None
    assert drafts.load_draft(alice, globex) is None


def test_it_drops_credential_headers(alice):
    team = Team.objects.get(name="acme")
    state = _state()
    state["headers"] = {"x-api-key": "sk-ant-secret", "Authorization": "Bearer x", "anthropic-beta": "b1"}
    drafts.save_draft(alice, team, state)
    assert drafts.load_draft(alice, team)["headers"] == {"anthropic-beta": "b1"}


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"request": [], "headers": {}},
        {"request": {}, "extra": 1},
        {"request": {}, "headers": {"a": 1}},
        {"request": {}, "provider": 3},
        {"request": {}, "mocks": "x"},
    ],
)
def test_it_rejects_unusable_state_and_keeps_the_old_draft(alice, bad):
    team = Team.objects.get(name="acme")
    drafts.save_draft(alice, team, _state("kept"))
    with pytest.raises(drafts.DraftError):
        drafts.save_draft(alice, team, bad)
    assert drafts.load_draft(alice, team)["request"]["messages"][0]["content"] == "kept"


def test_it_deletes_a_draft(alice):
    team = Team.objects.get(name="acme")
    drafts.save_draft(alice, team, _state())
    drafts.delete_draft(alice, team)
    assert drafts.load_draft(alice, team) is None
