"""The app's own sign-in and sign-out pages."""

from __future__ import annotations

from django.test import Client


def test_it_signs_in_with_a_password_and_lands_where_asked(alice):
    client = Client()
    response = client.get("/exchanges/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/exchanges/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-testid="sign-in-form"' in page.content and b"base.css" in page.content
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password", "next": "/exchanges/"})
    assert response.status_code == 302 and response["Location"] == "/exchanges/"
    assert client.get("/exchanges/").status_code == 200


def test_it_refuses_a_wrong_password_inline(alice):
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert client.get("/").status_code == 302


def test_it_never_redirects_off_site_after_signing_in(alice):
    response = Client().post(
        "/accounts/login/", {"username": "alice", "password": "alice-password", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_it_signs_out_with_a_post_only(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_it_shows_the_signed_in_user_and_a_sign_out_button(alice):
    client = Client()
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'data-testid="current-user">alice<' in html
    assert 'action="/accounts/logout/"' in html


def test_it_keeps_the_admin_login_for_staff(alice):
    response = Client().post("/admin/login/", {"username": "alice", "password": "alice-password", "next": "/admin/"})
    # Django's admin refuses non-staff accounts on its own login form.
    assert response.status_code == 200
    assert b"staff account" in response.content
