"""The whole application served by uvicorn with the production protocol, on loopback."""

from __future__ import annotations

import pytest

from tests.proxy.conftest import (
    ServerThread,
    proxy_url,  # noqa: F401  (the proxy tests' server, shared)
)


@pytest.fixture
def app_url(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from playground import recording
    from playground.asgi import application

    server = ServerThread(application)
    url = server.start()
    yield url
    recording.flush_sync()
    server.stop()
    recording.flush_sync()
