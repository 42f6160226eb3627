"""Async recording tests touch the database from several threads: close what they opened."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection


@pytest.fixture(autouse=True)
async def _close_thread_connections(request):
    yield
    if request.node.get_closest_marker("django_db") is not None:
        # The async ORM's thread keeps a connection of its own; PostgreSQL would refuse to
        # drop the test database while it is open.
        await sync_to_async(lambda: connection.close())()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed with the production hasher (about a second for
    # alice and bob together); these tests never log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_prices():
    # The price table is cached for a few seconds per process; each test has its own rows.
    from playground.recording import prices

    prices.invalidate()
    yield
    prices.invalidate()
