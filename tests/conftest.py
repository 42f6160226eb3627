"""Shared fixtures: the recorded API captures and the healthchecks-style personas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CAPTURES = Path(__file__).parent / "fixtures" / "captures"


def load_capture(name: str) -> dict:
    return json.loads((CAPTURES / name).read_text())


def all_captures() -> list[str]:
    return sorted(p.name for p in CAPTURES.glob("*.json"))


@pytest.fixture
def alice(db):
    """An owner of the `acme` team."""
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    user = get_user_model().objects.create_user("alice", password="alice-password")
    add_member(ensure_team("acme"), user, "owner")
    return user


@pytest.fixture
def bob(db):
    """A member of another team, `globex`, who must never see acme's data."""
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    user = get_user_model().objects.create_user("bob", password="bob-password")
    add_member(ensure_team("globex"), user, "owner")
    return user


@pytest.fixture
def victor(db):
    """A viewer of acme: reads everything of acme, changes nothing."""
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    user = get_user_model().objects.create_user("victor", password="victor-password")
    add_member(ensure_team("acme"), user, "viewer")
    return user
