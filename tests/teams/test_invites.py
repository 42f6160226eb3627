"""Invite links: single use, expiring, stored hashed; every bad token is the same 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from playground.proxy.keys import create_key
from playground.teams import invites
from playground.teams.models import Invite, Membership
from playground.teams.ops import ensure_team


@pytest.fixture
def acme(alice):
    return ensure_team("acme")


def owner_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def new_link(alice, role: str = "member") -> str:
    response = owner_client(alice).post("/teams/members/invite/", {"role": role})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'data-testid="invite-url">http://testserver(/invites/[^<]+/)<', response.content.decode())
    assert match, "the new link is on the page"
    return match.group(1)


def test_it_makes_a_256_bit_token_and_stores_only_its_hash(acme, alice):
    path = new_link(alice)
    token = path.split("/")[2]
    assert re.fullmatch(r"pgi-[A-Za-z0-9_-]{43}", token)
    invite = Invite.objects.get()
    assert token not in invite.token_hash and len(invite.token_hash) == 64
    assert invite.expires - invite.created > timedelta(days=6)


def test_it_lets_a_signed_out_visitor_create_an_account_and_join(acme, alice):
    path = new_link(alice, "viewer")
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and b"Join acme" in page.content
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"
    assert page["X-Robots-Tag"] == "noindex"
    response = client.post(path, {"action": "sign_up", "username": "carol",
                                  "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"})
    assert response.status_code == 302 and response["Location"] == "/"
    carol = get_user_model().objects.get(username="carol")
    assert Membership.objects.get(user=carol).role == "viewer"
    assert client.get("/").status_code == 200  # signed in
    assert Client().get(path).status_code == 404  # used up


def test_it_lets_a_signed_out_user_sign_in_and_join(acme, alice, bob):
    path = new_link(alice)
    client = Client()
    bad = client.post(path, {"action": "sign_in", "username": "bob", "password": "wrong"})
    assert bad.status_code == 200 and b"correct username and password" in bad.content
    assert not Membership.objects.filter(user=bob, team=acme).exists()
    response = client.post(path, {"action": "sign_in", "username": "bob", "password": "bob-password"})
    assert response.status_code == 302
    assert Membership.objects.get(user=bob, team=acme).role == "member"
    # acme is now bob's current team.
    assert 'data-testid="current-team">acme<' in client.get("/").content.decode()


def test_it_lets_a_signed_in_user_accept(acme, alice, bob):
    path = new_link(alice)
    client = Client()
    client.force_login(bob)
    assert b'data-testid="accept-invite"' in client.get(path).content
    assert client.post(path, {"action": "accept"}).status_code == 302
    assert Membership.objects.filter(user=bob, team=acme).exists()


def test_it_keeps_no_account_when_the_form_is_bad(acme, alice):
    path = new_link(alice)
    response = Client().post(path, {"action": "sign_up", "username": "dave", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="dave").exists()
    assert Client().get(path).status_code == 200  # still usable


def _bad_tokens(good: str) -> dict[str, str]:
    return {
        "truncated": good[:-1],
        "padded": good + "A",
        "padded with base64 padding": good + "=",
        "a proxy key's type": "pgk-" + good[4:],
        "a share's type": "pgs-" + good[4:],
        "underscore prefix": "pgi_" + good[4:],
        "no prefix": good[4:],
        "changed last character": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "empty-ish": "pgi-",
        "markup": "pgi-<script>",
    }


def test_it_answers_every_bad_token_with_the_same_plain_404(acme, alice):
    path = new_link(alice)
    good = path.split("/")[2]
    unknown = Client().get("/invites/" + "pgi-" + "A" * 43 + "/")
    assert unknown.status_code == 404
    for label, token in _bad_tokens(good).items():
        for method in ("get", "post"):
            response = getattr(Client(), method)(f"/invites/{token}/")
            assert response.status_code == 404, label
            assert response.content == unknown.content, label
    assert Client().get(path).status_code == 200  # the good one still works


def test_it_answers_used_expired_and_revoked_invites_with_the_same_404(acme, alice, bob):
    unknown = Client().get("/invites/" + "pgi-" + "A" * 43 + "/").content
    used = new_link(alice)
    client = Client()
    client.force_login(bob)
    client.post(used, {"action": "accept"})
    expired = new_link(alice)
    Invite.objects.filter(pk=Invite.objects.latest("pk").pk).update(expires=timezone.now() - timedelta(seconds=1))
    revoked = new_link(alice)
    revoked_invite = Invite.objects.latest("pk")
    assert owner_client(alice).post(f"/teams/invites/{revoked_invite.pk}/revoke/").status_code == 302
    for label, path in (("reused", used), ("expired", expired), ("revoked", revoked)):
        for method in ("get", "post"):
            response = getattr(Client(), method)(path, {"action": "accept"} if method == "post" else None)
            assert response.status_code == 404, label
            assert response.content == unknown, label
    # A signed-in user reusing a used link is refused the same way and joins nothing.
    carol = get_user_model().objects.create_user("carol", password="carol-password")
    client = Client()
    client.force_login(carol)
    assert client.post(used, {"action": "accept"}).status_code == 404
    assert not Membership.objects.filter(user=carol).exists()


def test_it_uses_an_invite_once_even_when_two_accept(acme, alice, bob):
    _invite, token = invites.create_invite(acme, "member", created_by=alice)
    carol = get_user_model().objects.create_user("carol", password="carol-password")
    invites.accept_invite(token, bob)
    with pytest.raises(invites.InviteNotFound):
        invites.accept_invite(token, carol)
    assert not Membership.objects.filter(user=carol).exists()


def test_it_lets_only_owners_invite(acme, alice, victor, bob):
    client = Client()
    client.force_login(victor)
    assert client.post("/teams/members/invite/", {"role": "owner"}).status_code == 403
    _invite, _token = invites.create_invite(acme, "member", created_by=alice)
    assert client.post(f"/teams/invites/{_invite.pk}/revoke/").status_code == 403
    # bob owns globex: acme's invite is not his to revoke.
    client.force_login(bob)
    assert client.post(f"/teams/invites/{_invite.pk}/revoke/").status_code == 404
    assert not Invite.objects.filter(role="owner").exists()
    assert Invite.objects.get().revoked_at is None


def test_it_refuses_an_unknown_role(acme, alice):
    response = owner_client(alice).post("/teams/members/invite/", {"role": "admin"})
    assert response.status_code == 200 and b"Choose a role" in response.content
    assert not Invite.objects.exists()


def test_it_answers_a_real_token_of_another_type_with_the_same_404(acme, alice):
    _key, raw = create_key(acme, "ci", created_by=alice)
    unknown = Client().get("/invites/" + "pgi-" + "A" * 43 + "/")
    response = Client().get(f"/invites/{raw}/")
    assert response.status_code == 404 and response.content == unknown.content
