"""The /proxy/ page: keys shown once, revoked and switched per team; connect snippets."""

from __future__ import annotations

import re

import pytest

from playground.proxy.keys import KEY_PATTERN


@pytest.fixture
def alice_client(logged_in, alice):
    return logged_in(alice)


def _created_key(html: str) -> str:
    match = re.search(r'data-testid="new-key-value">(pgk-[A-Za-z0-9_-]+)<', html)
    assert match, html
    return match.group(1)


def test_it_shows_a_new_key_once(alice_client):
    from playground.proxy.keys import hash_key
    from playground.proxy.models import ProxyKey

    response = alice_client.post("/proxy/keys/", {"name": "laptop"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = _created_key(response.content.decode())
    assert KEY_PATTERN.fullmatch(raw)
    key = ProxyKey.objects.get(name="laptop")
    assert key.team.name == "acme" and key.key_hash == hash_key(raw)
    page = alice_client.get("/proxy/").content.decode()
    assert "laptop" in page and key.prefix in page
    assert raw not in page


def test_it_shows_snippets_with_this_servers_address(alice_client):
    page = alice_client.get("/proxy/", HTTP_HOST="localhost").content.decode()
    for snippet in ("python", "typescript", "curl", "env"):
        assert f'data-testid="snippet-{snippet}"' in page
    assert "base_url=&quot;http://localhost&quot;" in page
    assert "baseURL: &quot;http://localhost&quot;" in page
    assert "export ANTHROPIC_BASE_URL=http://localhost" in page


def test_it_explains_a_bad_name_inline(alice_client):
    response = alice_client.post("/proxy/keys/", {"name": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "needs a name" in response.content.decode()
    assert "<html" not in response.content.decode()  # the partial only, for htmx


def test_it_revokes_and_switches_replay_for_the_own_team_only(alice_client, logged_in, bob):
    from playground.proxy.models import ProxyKey

    alice_client.post("/proxy/keys/", {"name": "acme-nightly"})
    key = ProxyKey.objects.get(name="acme-nightly")
    bob_client = logged_in(bob)
    assert bob_client.post(f"/proxy/keys/{key.pk}/revoke/").status_code == 404
    assert bob_client.post(f"/proxy/keys/{key.pk}/mode/", {"mode": "replay"}).status_code == 404
    assert "acme-nightly" not in bob_client.get("/proxy/").content.decode()

    response = alice_client.post(
        f"/proxy/keys/{key.pk}/mode/",
        {"mode": "replay", "replay_timing": "original", "replay_unmatched": "passthrough"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.mode, key.replay_timing, key.replay_unmatched) == ("replay", "original", "passthrough")
    assert alice_client.post(f"/proxy/keys/{key.pk}/mode/", {"mode": "bogus"}).status_code == 200
    key.refresh_from_db()
    assert key.mode == "replay"

    assert alice_client.post(f"/proxy/keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
