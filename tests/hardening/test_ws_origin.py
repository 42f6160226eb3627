"""Cross-site WebSocket hijacking (issue 14, item 2): every socket checks the full origin.

The old check compared host names only, so a page on another port or scheme of the same
host, or on a subdomain a leading-dot ALLOWED_HOSTS entry admits, could open the sockets
with the user's cookie, run requests and read live traffic.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from playground.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

SOCKETS = ["/ws/runs/", "/ws/exchanges/", "/ws/exchanges/abc/live/"]


def _cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _opens(path: str, cookie: bytes, host: bytes, origin: bytes | None, scheme: str = "ws",
                 extra: list[tuple[bytes, bytes]] = ()) -> bool:
    headers = [(b"host", host), (b"cookie", cookie), *extra]
    if origin is not None:
        headers.append((b"origin", origin))
    comm = WebsocketCommunicator(application, path, headers=headers)
    comm.scope["scheme"] = scheme
    connected, _ = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected


@pytest.fixture
async def cookie(alice):
    return await sync_to_async(_cookie_for)(alice)


@pytest.mark.parametrize("path", SOCKETS[:2])
async def test_the_pages_own_origin_opens_the_socket(path, cookie, settings):
    settings.ALLOWED_HOSTS = ["app.example", "127.0.0.1"]
    assert await _opens(path, cookie, b"app.example:8000", b"http://app.example:8000")
    assert await _opens(path, cookie, b"app.example", b"https://app.example", scheme="wss")


@pytest.mark.parametrize("path", SOCKETS)
@pytest.mark.parametrize("origin", [
    b"http://app.example:9999",      # another port of the same host
    b"https://app.example:8000",     # another scheme
    b"http://evil.app.example:8000",  # a subdomain the leading-dot entry admits
    b"http://evil.example",
    b"null",
    b"http://app.example:8000/path",
    b"http://user@app.example:8000",
])
async def test_any_other_origin_is_refused(path, origin, cookie, settings):
    settings.ALLOWED_HOSTS = [".app.example"]
    assert not await _opens(path, cookie, b"app.example:8000", origin)


@pytest.mark.parametrize("path", SOCKETS)
async def test_a_missing_origin_or_host_is_refused(path, cookie, settings):
    settings.ALLOWED_HOSTS = ["app.example"]
    assert not await _opens(path, cookie, b"app.example", None)
    assert not await _opens(path, cookie, b"", b"http://app.example")


async def test_a_host_outside_allowed_hosts_is_refused_even_with_a_matching_origin(cookie, settings):
    settings.ALLOWED_HOSTS = ["app.example"]
    assert not await _opens("/ws/runs/", cookie, b"evil.example", b"http://evil.example")


async def test_csrf_trusted_origins_open_the_socket(cookie, settings):
    settings.ALLOWED_HOSTS = ["internal.example"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example", "https://*.tools.example"]
    assert await _opens("/ws/runs/", cookie, b"internal.example", b"https://app.example")
    assert await _opens("/ws/runs/", cookie, b"internal.example", b"https://a.tools.example")
    assert not await _opens("/ws/runs/", cookie, b"internal.example", b"http://app.example")
    assert not await _opens("/ws/runs/", cookie, b"internal.example", b"https://app.example:8443")


async def test_a_trusted_proxy_header_makes_the_own_origin_https(cookie, settings):
    settings.ALLOWED_HOSTS = ["app.example"]
    forwarded = [(b"x-forwarded-proto", b"https")]
    assert not await _opens("/ws/runs/", cookie, b"app.example", b"https://app.example", extra=forwarded)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert await _opens("/ws/runs/", cookie, b"app.example", b"https://app.example", extra=forwarded)
    assert not await _opens("/ws/runs/", cookie, b"app.example", b"http://app.example", extra=forwarded)
