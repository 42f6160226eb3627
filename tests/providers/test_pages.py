"""The provider pages as staff use them: list, add, edit, rotate the key, the URL guard's
verdict inline. The key is write-only everywhere; a user of no team gets 403."""

from __future__ import annotations

import pytest

from playground import providers
from playground.providers.models import Provider
from playground.providers.ops import save_provider
from tests.providers.conftest import form_data

KEY = "sk-ant-pages-secret-4711"
NEW_KEY = "sk-ant-pages-rotated-0815"


def test_it_adds_a_provider_and_never_renders_its_key(staff_client):
    response = staff_client.post("/providers/new/", form_data(api_key=KEY))
    assert response.status_code == 302
    assert providers.get("gw").api_key == KEY
    listing = staff_client.get(response["Location"])
    assert b"Saved \xe2\x80\x9cgw\xe2\x80\x9d" in listing.content
    assert b"https://gw.example.com" in listing.content
    for page in (listing, staff_client.get("/providers/gw/"), staff_client.get("/providers/gw/key/")):
        assert page.status_code == 200
        assert KEY.encode() not in page.content
        assert Provider.objects.get(name="gw").api_key_encrypted.encode() not in page.content


def test_it_shows_the_url_guards_refusal_inline_and_writes_nothing(staff_client):
    response = staff_client.post("/providers/new/", form_data(base_url="http://169.254.169.254"))
    assert response.status_code == 200
    assert b'data-testid="error-base_url"' in response.content
    assert not Provider.objects.filter(name="gw").exists()


@pytest.mark.parametrize(("url", "private", "verdict"), [
    ("https://api.example.com", "", b"Allowed: https://api.example.com"),
    ("http://127.0.0.1:8080", "", b"Refused:"),
    ("http://127.0.0.1:8080", "on", b"Allowed: http://127.0.0.1:8080"),
    ("ftp://example.com", "on", b"Refused:"),
])
def test_it_gives_the_url_guards_verdict_while_typing(staff_client, url, private, verdict):
    response = staff_client.post("/providers/check-url/", {"base_url": url, "allow_private_network": private},
                                 headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert verdict in response.content
    assert b"<html" not in response.content


def test_it_edits_a_provider_keeping_its_key(staff_client):
    save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key=KEY)
    response = staff_client.post("/providers/gw/", form_data(base_url="https://gw2.example.com"))
    assert response.status_code == 302
    config = providers.get("gw")
    assert (config.base_url, config.api_key) == ("https://gw2.example.com", KEY)


def test_it_rotates_the_key(staff_client):
    save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key=KEY)
    response = staff_client.post("/providers/gw/key/", {"api_key": NEW_KEY})
    assert response.status_code == 302
    assert providers.get("gw").api_key == NEW_KEY
    listing = staff_client.get(response["Location"])
    assert b"New key stored" in listing.content
    assert NEW_KEY.encode() not in listing.content


def test_it_refuses_an_empty_new_key(staff_client):
    save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key=KEY)
    response = staff_client.post("/providers/gw/key/", {"api_key": ""})
    assert response.status_code == 200
    assert providers.get("gw").api_key == KEY


def test_it_does_not_let_the_simulator_be_edited(staff_client):
    simulator = Provider.objects.filter(builtin=True).first()
    assert simulator is not None
    assert staff_client.get(f"/providers/{simulator.name}/").status_code == 403
    assert staff_client.post(f"/providers/{simulator.name}/key/", {"api_key": NEW_KEY}).status_code == 403


def test_it_ignores_a_notice_for_a_provider_that_does_not_exist(staff_client):
    response = staff_client.get("/providers/", {"saved": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert b"alert(1)" not in response.content


def test_it_is_a_404_for_an_unknown_provider(staff_client):
    assert staff_client.get("/providers/nope/").status_code == 404
    assert staff_client.get("/providers/nope/key/").status_code == 404


def test_it_refuses_users_of_no_team_who_are_not_staff(client, db):
    # Team owners manage their own team's providers: tests/teams/test_permission_providers.py.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("nomad", password="nomad-password"))
    for path in ("/providers/", "/providers/new/", "/providers/gw/"):
        assert client.get(path).status_code == 403
    assert client.post("/providers/check-url/", {"base_url": "https://x.example"}).status_code == 403
    assert client.post("/providers/new/", form_data(api_key=KEY)).status_code == 403
    assert not Provider.objects.filter(name="gw").exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, db, settings):
    settings.AUTO_LOGIN_USER = ""
    response = client.get("/providers/")
    assert response.status_code == 302
    assert "login" in response["Location"]
