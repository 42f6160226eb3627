"""The members page: owners add, change roles and remove; the last owner stays."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from playground.teams.models import Membership
from playground.teams.ops import add_member, ensure_team


@pytest.fixture
def acme(alice):
    return ensure_team("acme")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def membership(user, team) -> Membership:
    return Membership.objects.get(user=user, team=team)


def test_it_lists_the_members_with_their_roles(acme, alice, victor):
    html = signed_in(victor).get("/teams/").content.decode()
    assert 'data-testid="member-alice"' in html and 'data-testid="member-victor"' in html
    assert "Create an invite link" not in html  # a viewer manages nothing
    assert "Create an invite link" in signed_in(alice).get("/teams/").content.decode()


def test_it_adds_an_existing_user_by_username(acme, alice, bob):
    response = signed_in(alice).post("/teams/members/add/", {"username": "bob", "role": "viewer"})
    assert response.status_code == 302
    assert membership(bob, acme).role == "viewer"


def test_it_explains_an_unknown_or_duplicate_username_inline(acme, alice, victor):
    client = signed_in(alice)
    response = client.post("/teams/members/add/", {"username": "<b>nobody</b>", "role": "member"})
    assert response.status_code == 200
    assert "There is no user" in response.content.decode() and "<b>nobody</b>" not in response.content.decode()
    response = client.post("/teams/members/add/", {"username": "victor", "role": "member"})
    assert "already a member" in response.content.decode()
    assert membership(victor, acme).role == "viewer"


def test_it_changes_a_role(acme, alice, victor):
    m = membership(victor, acme)
    assert signed_in(alice).post(f"/teams/members/{m.pk}/role/", {"role": "member"}).status_code == 302
    assert membership(victor, acme).role == "member"


def test_it_removes_a_member(acme, alice, victor):
    m = membership(victor, acme)
    assert signed_in(alice).post(f"/teams/members/{m.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_it_keeps_the_last_owner(acme, alice, victor):
    client = signed_in(alice)
    own = membership(alice, acme)
    response = client.post(f"/teams/members/{own.pk}/role/", {"role": "member"})
    assert response.status_code == 200 and b"at least one owner" in response.content
    response = client.post("/teams/leave/")
    assert response.status_code == 200 and b"at least one owner" in response.content
    response = client.post(f"/teams/members/{own.pk}/remove/")
    assert response.status_code == 200 and b"at least one owner" in response.content
    assert membership(alice, acme).role == "owner"


def test_it_lets_an_owner_step_down_once_another_owns(acme, alice, victor):
    client = signed_in(alice)
    client.post(f"/teams/members/{membership(victor, acme).pk}/role/", {"role": "owner"})
    assert client.post(f"/teams/members/{membership(alice, acme).pk}/role/", {"role": "viewer"}).status_code == 302
    assert membership(alice, acme).role == "viewer"
    # victor, the one owner left, cannot be demoted or removed by anyone.
    v = membership(victor, acme)
    response = signed_in(victor).post(f"/teams/members/{v.pk}/role/", {"role": "member"})
    assert b"at least one owner" in response.content


def test_it_lets_anyone_but_the_last_owner_leave(acme, alice, victor):
    response = signed_in(victor).post("/teams/leave/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=victor).exists()


def test_it_refuses_management_to_members_and_viewers(acme, alice, victor):
    mia = get_user_model().objects.create_user("mia", password="mia-password")
    add_member(acme, mia, "member")
    own = membership(alice, acme)
    for user in (mia, victor):
        client = signed_in(user)
        assert client.post("/teams/members/add/", {"username": "bob", "role": "owner"}).status_code == 403
        assert client.post(f"/teams/members/{own.pk}/role/", {"role": "viewer"}).status_code == 403
        assert client.post(f"/teams/members/{own.pk}/remove/").status_code == 403
        assert client.post("/teams/members/invite/", {"role": "owner"}).status_code == 403
    assert membership(alice, acme).role == "owner"
    assert membership(mia, acme).role == "member"


def test_it_answers_404_for_a_member_of_another_team(acme, alice, bob):
    bobs = Membership.objects.get(user=bob)
    client = signed_in(alice)
    assert client.post(f"/teams/members/{bobs.pk}/role/", {"role": "viewer"}).status_code == 404
    assert client.post(f"/teams/members/{bobs.pk}/remove/").status_code == 404
    assert Membership.objects.get(pk=bobs.pk).role == "owner"


def test_it_renders_a_team_name_with_markup_inert(db, alice):
    client = signed_in(alice)
    response = client.post("/teams/new/", {"name": "<script>alert(1)</script>"})
    assert response.status_code == 302
    html = client.get("/teams/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
