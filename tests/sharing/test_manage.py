"""The team's shares: create from a page, list the active ones and who made each, revoke.
Writers only for create and revoke; another team's share or target is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from playground.recording.models import Exchange
from playground.sharing.models import Share
from tests.inspector.loop import record_loop
from tests.sharing.support import record_simple, share_link

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_exchange_and_thread_pages_offer_a_share_control(alice, carol):
    step0, _, _ = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    for url in (step0.get_absolute_url(), f"/exchanges/threads/{thread.public_id}/"):
        assert 'action="/shares/new"' in _client(alice).get(url).content.decode()
        assert 'action="/shares/new"' not in _client(carol).get(url).content.decode()


def test_members_list_the_active_shares_with_who_made_each(alice, dave, carol):
    exchange = record_simple(alice)
    kept = share_link(dave, "exchange", exchange.public_id, expires="7d")
    gone = share_link(alice, "exchange", exchange.public_id)
    expired = share_link(alice, "exchange", exchange.public_id, expires="1h")
    Share.objects.filter(hint=expired[7:11]).update(expires_at=timezone.now() - timedelta(minutes=1))
    _client(alice).post(f"/shares/{Share.objects.get(hint=gone[7:11]).public_id}/revoke")

    for reader in (alice, carol):
        html = _client(reader).get("/shares/").content.decode()
        assert html.count('data-testid="share-row"') == 1
        assert f"/s/pgs-{kept[7:11]}…" in html and "dave" in html
        assert kept not in html  # the full link is never shown again
    assert 'data-testid="revoke"' in _client(alice).get("/shares/").content.decode()
    assert 'data-testid="revoke"' not in _client(carol).get("/shares/").content.decode()


def test_viewers_get_403_on_create_and_revoke(alice, carol):
    exchange = record_simple(alice)
    share_link(alice, "exchange", exchange.public_id)
    share = Share.objects.get()
    viewer = _client(carol)
    assert viewer.post("/shares/new", {"kind": "exchange", "target": exchange.public_id}).status_code == 403
    assert viewer.post(f"/shares/{share.public_id}/revoke").status_code == 403
    assert Share.objects.count() == 1 and Share.objects.get().revoked_at is None


def test_another_teams_share_and_targets_are_404(alice, bob):
    exchange = record_simple(alice)
    share_link(alice, "exchange", exchange.public_id)
    share = Share.objects.get()
    other = _client(bob)
    assert other.post(f"/shares/{share.public_id}/revoke").status_code == 404
    assert other.post("/shares/new", {"kind": "exchange", "target": exchange.public_id}).status_code == 404
    assert "pgs-" not in other.get("/shares/").content.decode()
    assert Share.objects.count() == 1 and Share.objects.get().revoked_at is None


@pytest.mark.parametrize("form, status, text", [
    ({"kind": "exchange", "expires": "forever"}, 400, "Choose when the link expires"),
    ({"kind": "exchange", "expires": "1h\x00"}, 400, "Choose when the link expires"),
    ({"kind": "saved-thing"}, 404, ""),
    ({"kind": "exchange", "target": "<script>"}, 404, ""),
    ({"kind": "exchange", "target": "x" * 5000}, 404, ""),
    ({}, 404, ""),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(alice, form, status, text):
    exchange = record_simple(alice)
    response = _client(alice).post("/shares/new", {"target": exchange.public_id, **form})
    assert response.status_code == status
    assert text in response.content.decode()
    assert Share.objects.count() == 0


def test_an_expiring_link_says_when(alice):
    exchange = record_simple(alice)
    response = _client(alice).post("/shares/new", {"kind": "exchange", "target": exchange.public_id, "expires": "1d"})
    share = Share.objects.get()
    assert timedelta(hours=23) < share.expires_at - timezone.now() <= timedelta(days=1)
    assert "It expires" in response.content.decode()
    assert share.created_by == alice
