"""Sharing a saved request: its latest version or a pinned one, read-only and redacted,
and "Open in playground" into the reader's own team."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from playground.composer.models import WorkingCopy
from playground.library import ops as library
from playground.sharing.models import Share
from playground.teams.ops import ensure_team
from tests.sharing.support import share_link

pytestmark = pytest.mark.django_db


def state(text: str, provider: str | None = "zeta-gateway-7") -> dict:
    return {
        "request": {"model": "sim-1", "max_tokens": 100,
                    "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]},
        "provider": provider,
        "headers": {"anthropic-version": "2023-06-01", "anthropic-beta": "tools-2024-04-04",
                    "x-internal-route": "zeta-gateway-7"},
        "mocks": {"get_weather": {"content": "sunny"}},
        "notes": "internal: runs against zeta-gateway-7",
        "variables": {"sets": [{"name": "prod", "values": {"city": "secret-city-value"}}], "active": "prod"},
    }


@pytest.fixture
def saved(alice):
    saved = library.create_saved_request(ensure_team("acme"), alice, "Weather <b>loop</b>",
                                         state("first version text"), description="the forecast")
    library.save_version(saved, alice, state("second version text"), message="tweak")
    saved.refresh_from_db()
    return saved


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_saved_request_page_offers_latest_or_a_pinned_version(alice, carol, saved):
    html = _client(alice).get(saved.get_absolute_url()).content.decode()
    assert 'name="version"' in html and '<option value="1">version 1</option>' in html
    assert 'action="/shares/new"' not in _client(carol).get(saved.get_absolute_url()).content.decode()


def test_a_latest_share_follows_new_versions_and_a_pinned_one_does_not(alice, saved, anonymous):
    latest = share_link(alice, "request", saved.public_id)
    response = _client(alice).post("/shares/new", {"kind": "request", "target": saved.public_id, "version": "1"})
    pinned = re.search(r"(/s/pgs-[A-Za-z0-9_-]{43})<", response.content.decode())[1]
    assert Share.objects.get(version_number=1).saved_request == saved

    visitor = Client()
    assert "second version text" in visitor.get(latest).content.decode()
    assert "first version text" in visitor.get(pinned).content.decode()
    library.save_version(saved, alice, state("third version text"))
    assert "third version text" in visitor.get(latest).content.decode()
    assert "first version text" in visitor.get(pinned).content.decode()


def test_a_request_share_shows_no_provider_notes_values_or_other_headers(alice, saved, anonymous):
    path = share_link(alice, "request", saved.public_id)
    response = Client().get(path)
    html = response.content.decode()
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex"
    assert "second version text" in html and "Weather &lt;b&gt;loop&lt;/b&gt;" in html
    assert "tools-2024-04-04" in html and "sunny" in html
    for hidden in ("zeta-gateway-7", "internal:", "secret-city-value", "x-internal-route", "/library/"):
        assert hidden not in html, hidden


@pytest.mark.parametrize("version", ["7", "0", "-1", "v1", "1" * 30, "1\x00"])
def test_an_unknown_version_is_a_clear_error(alice, saved, version):
    response = _client(alice).post("/shares/new", {"kind": "request", "target": saved.public_id, "version": version})
    assert response.status_code == 400
    assert "has no version" in response.content.decode()
    assert Share.objects.count() == 0


def test_another_team_opens_a_copy_without_the_provider(alice, bob, saved):
    path = share_link(alice, "request", saved.public_id, expires="1d")
    assert _client(bob).post(f"{path}/open").status_code == 302
    copy = WorkingCopy.objects.get(user=bob, team=bob.memberships.get().team).state
    assert copy["request"]["messages"][0]["content"][0]["text"] == "second version text"
    assert copy["provider"] is None
    assert copy["headers"] == {"anthropic-version": "2023-06-01", "anthropic-beta": "tools-2024-04-04"}
    assert copy["mocks"] == {"get_weather": {"content": "sunny"}}
    saved.refresh_from_db()
    assert saved.latest_number == 2  # the sharer's request is untouched


def test_deleting_the_request_kills_its_links(alice, saved):
    path = share_link(alice, "request", saved.public_id)
    library.delete_saved_request(saved)
    assert Client().get(path).status_code == 404
