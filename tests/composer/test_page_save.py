"""Saving from the composer: the first save creates the saved request, later saves add
versions through the library's ops; `/?saved=` opens or shows its copy; viewers cannot save;
another team's copy or saved request is a 404."""

from __future__ import annotations

import json
import re

import pytest

from playground.composer import saving, workcopies
from playground.library.models import SavedRequest
from playground.teams.models import Team
from playground.teams.ops import add_member, ensure_team

STATE = {
    "request": {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi {{who}}"}]},
    "provider": None,
    "headers": {"anthropic-version": "2023-06-01", "x-api-key": "sk-ant-never-saved"},
    "mocks": {"t": {"type": "static", "value": 1}},
    "notes": "why this request exists",
    "variables": {"sets": [{"name": "a", "values": {"who": "Ann"}}, {"name": "b", "values": {"who": "Bo"}}], "active": "b"},
}


def _post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def _copy(user, team="acme"):
    return workcopies.open_working_copy(user, Team.objects.get(name=team), workcopies.default_state(), "Untitled")


def _page_config(response) -> dict:
    match = re.search(r'<script id="composer-config" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_first_save_creates_later_saves_add_versions(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    first = _post(client, f"/copies/{copy.public_id}/save", {
        "state": STATE, "name": "Greeting <b>", "description": "d", "tags": ["greet", " x "], "message": "first"})
    assert first.status_code == 200, first.content
    body = first.json()
    saved = SavedRequest.objects.get(public_id=body["saved"]["id"])
    assert body["title"] == "Greeting <b>" and body["unsaved"] is False and body["version"] == 1
    assert body["saved"]["url"] == f"/library/{saved.public_id}/"
    assert saved.team.name == "acme" and saved.tags == ["greet", "x"]
    stored = saved.versions.get(number=1).state
    assert stored["notes"] == STATE["notes"] and stored["variables"] == STATE["variables"]
    assert stored["mocks"] == STATE["mocks"] and "x-api-key" not in stored["headers"]

    # An edit makes the copy unsaved; saving again adds version 2 and clears it.
    edited = {**STATE, "notes": "edited"}
    assert _post(client, f"/copies/{copy.public_id}/state", edited).json()["unsaved"] is True
    second = _post(client, f"/copies/{copy.public_id}/save", {"state": edited, "name": "Greeting <b>", "message": "notes"})
    assert second.json()["version"] == 2 and second.json()["unsaved"] is False
    assert saved.versions.count() == 2 and saved.versions.get(number=2).message == "notes"
    assert SavedRequest.objects.count() == 1
    assert _post(client, f"/copies/{copy.public_id}/state", edited).json()["unsaved"] is False


def test_saved_opens_the_same_copy_again(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    body = _post(client, f"/copies/{copy.public_id}/save", {"state": STATE, "name": "Greeting"}).json()
    other = _copy(alice)
    workcopies.focus(other)
    page = client.get(f"/?saved={body['saved']['id']}")
    assert page.status_code == 200
    assert _page_config(page)["copy"]["id"] == copy.public_id
    assert workcopies.copies_for(alice, Team.objects.get(name="acme")).count() == 2


def test_saved_opens_a_new_copy_when_none_is_open(client, alice):
    client.force_login(alice)
    copy = _copy(alice)
    saved_id = _post(client, f"/copies/{copy.public_id}/save", {"state": STATE, "name": "Greeting"}).json()["saved"]["id"]
    workcopies.close(copy)
    config = _page_config(client.get(f"/?saved={saved_id}"))
    assert config["copy"]["saved"]["id"] == saved_id and config["copy"]["saved"]["version"] == 1
    assert config["copy"]["unsaved"] is False and config["copy"]["title"] == "Greeting"


def test_another_teams_saved_request_is_a_404(client, alice, bob):
    copy = _copy(alice)
    saving.save_copy(copy, alice, STATE, "Secret")
    client.force_login(bob)
    assert client.get(f"/?saved={copy.saved_request.public_id}").status_code == 404
    assert _post(client, f"/copies/{copy.public_id}/save", {"state": STATE, "name": "x"}).status_code == 404


def test_a_viewer_cannot_save(client, alice, django_user_model):
    carol = django_user_model.objects.create_user("carol", password="x")
    add_member(ensure_team("acme"), carol, "viewer")
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(carol, team, STATE)  # made while carol was a member
    client.force_login(carol)
    response = _post(client, f"/copies/{copy.public_id}/save", {"state": STATE, "name": "Nope"})
    assert response.status_code == 403 and response.json()["error"]["type"] == "permission_error"
    assert SavedRequest.objects.count() == 0


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"state": STATE, "name": "  "}, "name"),
        ({"state": STATE, "name": "x", "tags": "a,b"}, "tags"),
        ({"state": {"request": []}, "name": "x"}, "state.request: must be a JSON object"),
        ({"name": "x"}, "send"),
        ({"state": STATE, "name": "x", "extra": 1}, "send"),
    ],
)
def test_bad_input_is_a_400_and_saves_nothing(client, alice, payload, message):
    client.force_login(alice)
    copy = _copy(alice)
    response = _post(client, f"/copies/{copy.public_id}/save", payload)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert SavedRequest.objects.count() == 0
    assert workcopies.get_copy(alice, Team.objects.get(name="acme"), copy.public_id).saved_request is None


def test_variables_endpoint_names_each_placeholder_without_a_value(client, alice):
    client.force_login(alice)
    request = {"model": "sim-1", "system": "You help {{who}}.", "messages": [{"role": "user", "content": "{{q}} and {{who}}"}]}
    sets = {"sets": [{"name": "a", "values": {"who": "Ann"}}], "active": "a"}
    body = _post(client, "/variables", {"request": request, "variables": sets}).json()
    assert body["placeholders"] == {"who": ["system", "messages[0].content"], "q": ["messages[0].content"]}
    assert [(f["path"], f["severity"]) for f in body["findings"]] == [("messages[0].content", "error")]
    assert "{{q}}" in body["findings"][0]["message"] and "'a'" in body["findings"][0]["message"]
    none = _post(client, "/variables", {"request": request, "variables": None}).json()
    assert {f["severity"] for f in none["findings"]} == {"warning"}
    bad = _post(client, "/variables", {"request": request, "variables": {"sets": 3}})
    assert bad.status_code == 400
