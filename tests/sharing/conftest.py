"""Sharing test personas: alice (owner of acme), bob (owner of globex), carol (viewer in
acme), dave (member of acme); cheap password hashes (no test here is about passwords)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _member(name: str, team: str, role: str):
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    user = get_user_model().objects.create_user(name, password=f"{name}-password")
    add_member(ensure_team(team), user, role)
    return user


@pytest.fixture
def carol(db):
    """A viewer of acme: reads everything, changes nothing."""
    return _member("carol", "acme", "viewer")


@pytest.fixture
def dave(db):
    """A member (not an owner) of acme."""
    return _member("dave", "acme", "member")


@pytest.fixture
def anonymous(settings):
    """No development auto-login: a visitor who is signed in as nobody."""
    settings.AUTO_LOGIN_USER = None
