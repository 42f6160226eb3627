"""Fixtures for the proxy: the real ASGI application under uvicorn on a random loopback
port (in a thread, sharing the test database), and proxy keys for the personas' teams."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn


class ServerThread:
    def __init__(self, app, lifespan: str = "off") -> None:
        self.config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan, access_log=False,
            loop="asyncio", http="playground.http_protocol:HttpProtocol",
        )
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    # The personas are created with passwords; the default hasher costs ~0.5 s per user,
    # which would dominate these tests (no test here is about passwords).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _reset_caches() -> None:
    from playground.proxy import auth, routes

    auth.invalidate()
    routes._providers.forget()


@pytest.fixture
def proxy_url(transactional_db, monkeypatch):
    """Base URL of the whole application (the /v1 proxy included) served by uvicorn,
    recording as production does."""
    from playground.asgi import application

    _reset_caches()
    from playground import recording

    server = ServerThread(application)
    url = server.start()
    yield url
    # Let the recorder finish its writes before the database is emptied for the next test
    # (on PostgreSQL a write racing the TRUNCATE deadlocks).
    recording.flush_sync()
    server.stop()
    recording.flush_sync()
    _reset_caches()


@pytest.fixture
def acme_key(alice) -> str:
    from playground.proxy.keys import create_key
    from playground.teams.ops import ensure_team

    _key, raw = create_key(ensure_team("acme"), "acme-ci")
    return raw


@pytest.fixture
def globex_key(bob) -> str:
    from playground.proxy.keys import create_key
    from playground.teams.ops import ensure_team

    _key, raw = create_key(ensure_team("globex"), "globex-ci")
    return raw


@pytest.fixture
def client(proxy_url):
    with httpx.Client(base_url=proxy_url, timeout=10) as c:
        yield c


def raw_http(url: str, request: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    """Sends exact request bytes (for headers no client library would send)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    response = b"".join(chunks)
    status = int(response.split(b" ", 2)[1])
    return status, response.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in response else b""


def _complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def recorded(count: int, timeout: float = 10.0, **filters) -> list:
    """The finished exchanges matching `filters`, oldest first, once there are `count`
    (the writer is asynchronous and a call is finished just after its last byte is sent)."""
    from playground import recording
    from playground.recording.models import Exchange

    deadline = time.monotonic() + timeout
    while True:
        recording.flush_sync()
        rows = list(Exchange.objects.filter(**filters).exclude(outcome="streaming").order_by("id"))
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


@pytest.fixture
def logged_in(db):
    """Django test clients logged in as a user (`client` here is the proxy's HTTP client)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def sdk(proxy_url, acme_key):
    import anthropic

    with anthropic.Anthropic(base_url=proxy_url, api_key=acme_key, max_retries=0) as c:
        yield c


@pytest.fixture
def upstream_server():
    """Starts ASGI apps as loopback upstreams; yields a function app -> base URL."""
    servers = []

    def start(app) -> str:
        server = ServerThread(app)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def pinned_key(team_name: str, key_name: str, base_url: str, provider: str) -> str:
    """A key pinned to a new provider at `base_url` (a loopback test upstream)."""
    from playground.providers.ops import save_provider
    from playground.proxy.keys import create_key
    from playground.teams.ops import ensure_team

    save_provider(provider, base_url=base_url, model_patterns=["fake-*"], auth_style="none",
                  allow_private_network=True)
    _key, raw = create_key(ensure_team(team_name), key_name, provider=provider)
    return raw


@pytest.fixture
def fake_key(upstream_server, proxy_url, alice) -> str:
    from tests.proxy import fake_upstream

    fake_upstream.SEEN.clear()
    return pinned_key("acme", "acme-fake", upstream_server(fake_upstream.app), "fake")
