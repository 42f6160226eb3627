"""Inspector test settings: cheap password hashes for the personas (no test here is about
passwords, and the default hasher costs about half a second per user)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
