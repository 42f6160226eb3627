"""The working copies' endpoints: list, open, autosave, rename, close; team scoped; bad
input is a 4xx in the API's error shape."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from playground.composer import workcopies
from playground.teams.models import Team
from playground.teams.ops import add_member, ensure_team

STATE = {
    "request": {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]},
    "provider": None,
    "headers": {"anthropic-version": "2023-06-01", "x-sim-delay-ms": "5"},
    "mocks": {},
    "notes": "",
    "variables": {"sets": [], "active": None},
}


def _post(client, url, payload):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


def _copy(user, team_name="acme", state=STATE, title="Mine"):
    return workcopies.open_working_copy(user, Team.objects.get(name=team_name), state, title)


@pytest.fixture
def carol(django_user_model, alice):
    """A viewer of acme: reads, changes nothing."""
    user = django_user_model.objects.create_user("carol", password="x")
    add_member(ensure_team("acme"), user, "viewer")
    return user


def test_it_opens_lists_and_autosaves_copies(client, alice):
    client.force_login(alice)
    made = _post(client, "/copies", {"state": STATE, "title": "Weather"})
    assert made.status_code == 201
    copy_id = made.json()["id"]
    assert made.json() == {"id": copy_id, "title": "Weather", "unsaved": False, "revision": 0, "url": f"/?copy={copy_id}", "saved": None}
    blank = _post(client, "/copies", {}).json()
    listed = client.get("/copies").json()["copies"]
    assert [c["id"] for c in listed] == [copy_id, blank["id"]]

    edited = {**STATE, "notes": "changed"}
    saved = _post(client, f"/copies/{copy_id}/state", edited)
    assert saved.status_code == 200 and saved.json()["unsaved"] is True
    team = Team.objects.get(name="acme")
    assert workcopies.get_copy(alice, team, copy_id).state == edited
    # The other copy is untouched.
    assert workcopies.get_copy(alice, team, blank["id"]).state["request"]["messages"][0]["content"][0]["text"] == "Hello!"


def test_it_renames_and_closes(client, alice):
    client.force_login(alice)
    first, second = _copy(alice), _copy(alice, title="Other")
    renamed = _post(client, f"/copies/{first.public_id}/title", {"title": "<b>Renamed</b>"})
    assert renamed.json()["title"] == "<b>Renamed</b>"
    closed = _post(client, f"/copies/{first.public_id}/close", {})
    assert closed.status_code == 200 and closed.json()["next"] == f"/?copy={second.public_id}"
    assert [c["id"] for c in client.get("/copies").json()["copies"]] == [second.public_id]


def test_another_teams_copy_is_a_404_through_every_door(client, alice, bob):
    copy = _copy(alice)
    client.force_login(bob)
    for url in (f"/copies/{copy.public_id}/state", f"/copies/{copy.public_id}/title", f"/copies/{copy.public_id}/close"):
        response = _post(client, url, {"title": "x"} if url.endswith("title") else STATE)
        assert response.status_code == 404, url
        assert response.json()["error"]["type"] == "not_found_error"
    assert client.get(f"/?copy={copy.public_id}").status_code == 404
    assert client.get("/copies").json()["copies"] == []
    assert workcopies.get_copy(alice, Team.objects.get(name="acme"), copy.public_id).title == "Mine"


def test_another_members_copy_is_a_404_too(client, alice, django_user_model):
    dave = django_user_model.objects.create_user("dave", password="x")
    add_member(ensure_team("acme"), dave, "member")
    copy = _copy(alice)
    client.force_login(dave)
    assert _post(client, f"/copies/{copy.public_id}/state", STATE).status_code == 404


def test_a_viewer_cannot_open_or_autosave(client, alice, carol):
    client.force_login(carol)
    refused = _post(client, "/copies", {})
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "permission_error"
    # The page still shows a request to read, without making a copy.
    page = client.get("/")
    assert page.status_code == 200
    assert list(workcopies.copies_for(carol, Team.objects.get(name="acme"))) == []


def test_it_drops_a_pasted_api_key(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    _post(client, f"/copies/{copy.public_id}/state", {**STATE, "headers": {"x-api-key": "sk-ant-api03-secret"}})
    stored = workcopies.get_copy(alice, Team.objects.get(name="acme"), copy.public_id).state
    assert "sk-ant-api03-secret" not in json.dumps(stored)


def test_it_answers_malformed_json_in_the_error_shape(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    response = _post(client, f"/copies/{copy.public_id}/state", '{"request": ')
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert workcopies.get_copy(alice, Team.objects.get(name="acme"), copy.public_id).state == STATE


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"request": {}, "password": "x"}, "state: unknown keys: password"),
        ({"request": {}, "variables": {"sets": [], "active": "x"}}, "variables.active"),
    ],
)
def test_it_rejects_bad_state(client, alice, payload, message):
    client.force_login(alice)
    copy = _copy(alice)
    response = _post(client, f"/copies/{copy.public_id}/state", payload)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize("payload", [[], {"state": [], "title": "x"}, {"title": 3}, {"other": 1}])
def test_it_rejects_a_bad_new_copy(client, alice, payload):
    client.force_login(alice)
    response = _post(client, "/copies", payload)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert client.get("/copies").json()["copies"] == []


def test_it_refuses_users_without_a_team(client, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x")
    client.force_login(loner)
    response = _post(client, "/copies", {})
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


def test_writes_only_accept_post(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    assert client.get(f"/copies/{copy.public_id}/state").status_code == 405
    assert client.delete("/copies").status_code == 405


@override_settings(AUTO_LOGIN_USER=None)
def test_it_needs_a_login(client, alice):
    copy = _copy(alice)
    response = _post(client, f"/copies/{copy.public_id}/state", STATE)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_an_autosave_from_a_stale_window_is_a_409_and_overwrites_nothing(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    assert copy.revision == 0
    first = _post(client, f"/copies/{copy.public_id}/state?revision=0", {**STATE, "notes": "window A"})
    assert first.status_code == 200 and first.json()["revision"] == 1
    stale = _post(client, f"/copies/{copy.public_id}/state?revision=0", {**STATE, "notes": "window B"})
    assert stale.status_code == 409 and stale.json()["error"]["type"] == "invalid_request_error"
    assert "another window" in stale.json()["error"]["message"]
    team = Team.objects.get(name="acme")
    assert workcopies.get_copy(alice, team, copy.public_id).state["notes"] == "window A"
    # Choosing to keep this window's version overwrites on purpose.
    forced = _post(client, f"/copies/{copy.public_id}/state", {**STATE, "notes": "window B"})
    assert forced.json()["revision"] == 2
    assert workcopies.get_copy(alice, team, copy.public_id).state["notes"] == "window B"
    assert _post(client, f"/copies/{copy.public_id}/state?revision=x", STATE).status_code == 400
