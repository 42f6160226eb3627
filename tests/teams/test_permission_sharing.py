"""The sharing doors (share management, public share pages, comments) for the four
personas: alice owns acme, bob owns globex, victor views acme, and an anonymous visitor."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from playground.sharing import ops as sharing_ops
from playground.sharing.models import Comment, Share
from playground.teams.invites import create_invite
from playground.teams.ops import ensure_team
from tests.teams.objects import make_acme_objects

WRITE = {"alice": 302, "victor": 403, "bob": 404, "anon": "login"}
CREATE = {"alice": 200, "victor": 403, "bob": 404, "anon": "login"}


@pytest.fixture
def world(alice, bob, victor):
    objects = make_acme_objects(alice)
    team = ensure_team("acme")
    share, token = sharing_ops.create_share(team, exchange=objects.exchange, created_by=alice)
    comment = sharing_ops.add_comment(team, alice, turn=0, block=0, body="acme comment", exchange=objects.exchange)
    return {"alice": alice, "bob": bob, "victor": victor, "objects": objects, "share": share, "token": token,
            "comment": comment}


def client_for(world, persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(world[persona])
    return client


def _doors(world) -> dict[str, tuple[str, dict, dict]]:
    objects = world["objects"]
    ex = objects.exchange.public_id
    return {
        "share an exchange": ("/shares/new", {"kind": "exchange", "target": ex}, CREATE),
        "share a thread": ("/shares/new", {"kind": "thread", "target": objects.thread_id}, CREATE),
        "share a saved request": ("/shares/new", {"kind": "request", "target": objects.saved_id}, CREATE),
        "revoke a share": (f"/shares/{world['share'].public_id}/revoke", {}, WRITE),
        "comment on an exchange": ("/comments/new", {"kind": "exchange", "target": ex, "slot": "turn-0-block-0",
                                                     "body": "looks wrong"}, WRITE),
        "comment on a thread": ("/comments/new", {"kind": "thread", "target": objects.thread_id,
                                                  "slot": "turn-0-block-0", "body": "looks wrong"}, WRITE),
        "delete a comment": (f"/comments/{world['comment'].public_id}/delete", {}, WRITE),
    }


DOOR_NAMES = ["share an exchange", "share a thread", "share a saved request", "revoke a share",
              "comment on an exchange", "comment on a thread", "delete a comment"]


@pytest.mark.parametrize("persona", ["alice", "bob", "victor", "anon"])
@pytest.mark.parametrize("door", DOOR_NAMES)
def test_it_lets_only_acmes_writers_manage_shares_and_comments(world, door, persona):
    url, data, expect = _doors(world)[door]
    response = client_for(world, persona).post(url, data)
    expected = expect[persona]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, response.content[:300]
    if persona != "alice":
        share = Share.objects.get(pk=world["share"].pk)
        assert share.revoked_at is None
        assert Share.objects.count() == 1
        assert list(Comment.objects.values_list("body", flat=True)) == ["acme comment"]


def test_it_lists_acmes_shares_to_acme_only(world):
    for persona, sees in (("alice", True), ("victor", True), ("bob", False)):
        html = client_for(world, persona).get("/shares/").content.decode()
        assert (world["share"].public_id in html or world["share"].hint in html) is sees, persona
    response = client_for(world, "anon").get("/shares/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_shows_comments_to_acme_only(world):
    url = f"/exchanges/{world['objects'].exchange.public_id}/"
    for persona in ("alice", "victor"):
        assert "acme comment" in client_for(world, persona).get(url).content.decode()
    assert client_for(world, "bob").get(url).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "victor", "anon"])
def test_it_shows_a_share_to_anyone_with_the_link_until_revoked(world, persona):
    token = world["token"]
    assert client_for(world, persona).get(f"/s/{token}").status_code == 200
    sharing_ops.revoke_share(world["share"], by=world["alice"])
    unknown = client_for(world, persona).get("/s/pgs-" + "A" * 43)
    response = client_for(world, persona).get(f"/s/{token}")
    assert response.status_code == 404 and unknown.status_code == 404
    plain = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*')
    assert plain.sub(rb"\1", response.content) == plain.sub(rb"\1", unknown.content)


def test_it_answers_an_invite_token_at_a_share_address_and_back_with_the_same_404(world):
    _invite, invite_token = create_invite(ensure_team("acme"), "member", created_by=world["alice"])
    assert Client().get(f"/s/{invite_token}").status_code == 404
    assert Client().get(f"/invites/{world['token']}/").status_code == 404
