"""The permission tests' personas and the acme objects they reach for.

alice owns acme, bob owns globex (tests/conftest.py), victor is a viewer of acme; the
anonymous visitor is a client that never signed in (with the development auto-login off).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from playground.teams.ops import add_member, ensure_team


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    # No test here is about hashing; the default hasher costs ~0.5 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_auto_login(settings):
    settings.AUTO_LOGIN_USER = None


@pytest.fixture
def victor(db):
    """A viewer of acme: reads everything of acme, changes nothing."""
    user = get_user_model().objects.create_user("victor", password="victor-password")
    add_member(ensure_team("acme"), user, "viewer")
    return user
