"""Roles: owners manage, members write, viewers only read."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from playground.teams.access import require_manage, require_write
from playground.teams.ops import add_member, ensure_team, membership_for_user


def request_for(user, team_id=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {"team_id": team_id} if team_id else {}
    return request


@pytest.fixture
def viewer(db):
    user = get_user_model().objects.create_user("victor", password="victor-password")
    add_member(ensure_team("acme"), user, "viewer")
    return user


def test_it_lets_a_viewer_read_but_not_write(viewer):
    request = request_for(viewer)
    with pytest.raises(PermissionDenied):
        require_write(request)
    with pytest.raises(PermissionDenied):
        require_manage(request)


def test_it_lets_a_member_write_but_not_manage(db):
    user = get_user_model().objects.create_user("mia", password="mia-password")
    add_member(ensure_team("acme"), user)
    request = request_for(user)
    assert require_write(request).role == "member"
    with pytest.raises(PermissionDenied):
        require_manage(request)


def test_it_lets_an_owner_manage(alice):
    assert require_manage(request_for(alice)).team.name == "acme"


def test_it_uses_the_role_of_the_team_chosen_in_the_session(alice):
    beta = ensure_team("beta")
    add_member(beta, alice, "viewer")
    assert membership_for_user(alice, {"team_id": beta.id}).role == "viewer"
    assert membership_for_user(alice, {}).team.name == "acme"
    with pytest.raises(PermissionDenied):
        require_write(request_for(alice, beta.id))


def test_it_refuses_writes_from_someone_with_no_team(db):
    loner = get_user_model().objects.create_user("loner", password="loner-password")
    with pytest.raises(PermissionDenied):
        require_write(request_for(loner))
