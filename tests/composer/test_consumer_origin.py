"""Cross-site WebSocket hijacking: with a valid session cookie, the run socket still refuses a
foreign or missing Origin, and accepts the page's own."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.sessions import session_key_for

pytestmark = pytest.mark.django_db(transaction=True)


async def attempt(session_key: str, origin: bytes | None) -> bool:
    from playground.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"cookie", f"sessionid={session_key}".encode())]
    if origin:
        headers.append((b"origin", origin))
    comm = WebsocketCommunicator(application, "/ws/runs/", headers=headers)
    connected, _ = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected


async def test_it_accepts_only_the_pages_own_origin(alice):
    key = await database_sync_to_async(session_key_for)(alice)
    assert await attempt(key, b"http://127.0.0.1")
    assert not await attempt(key, b"http://evil.example")
    assert not await attempt(key, None)
