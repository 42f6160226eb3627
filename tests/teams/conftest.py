"""The permission tests' personas and the acme objects they reach for.

alice owns acme, bob owns globex, victor views acme (all in tests/conftest.py); the
anonymous visitor is a client that never signed in (with the development auto-login off).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    # No test here is about hashing; the default hasher costs ~0.5 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_auto_login(settings):
    settings.AUTO_LOGIN_USER = None
