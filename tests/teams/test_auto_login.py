"""The development auto-login: loopback only, never in production, never after signing out,
never on the sign-in and invite pages."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _auto_login_on(settings):
    settings.AUTO_LOGIN_USER = "demo"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver", "play.example.com"]


def signed_in_as(response) -> str | None:
    user = response.wsgi_request.user
    return user.get_username() if user.is_authenticated else None


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "localhost"])
def test_it_signs_in_the_local_user_on_a_loopback_host(db, host):
    response = Client().get("/", HTTP_HOST=host, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert signed_in_as(response) == "demo"


@pytest.mark.parametrize("host", ["play.example.com", "testserver"])
def test_it_never_signs_in_on_another_host(db, host):
    response = Client().get("/", HTTP_HOST=host, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_never_signs_in_a_remote_client_that_claims_a_loopback_host(db):
    response = Client().get("/", HTTP_HOST="localhost:8000", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_it_never_signs_in_in_production(db, settings):
    settings.PRODUCTION = True
    response = Client().get("/", HTTP_HOST="127.0.0.1:8000", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 302


def test_it_leaves_the_sign_in_page_to_the_visitor(alice):
    client = Client(HTTP_HOST="127.0.0.1:8000", REMOTE_ADDR="127.0.0.1")
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and signed_in_as(page) is None
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})
    assert response.status_code == 302
    assert signed_in_as(client.get("/")) == "alice"


def test_it_stays_signed_out_after_signing_out(alice):
    client = Client(HTTP_HOST="127.0.0.1:8000", REMOTE_ADDR="127.0.0.1")
    assert signed_in_as(client.get("/")) == "demo"
    client.post("/accounts/logout/")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})
    assert signed_in_as(client.get("/")) == "alice"
