"""POST /draft: the page's autosave; bad input is a 4xx in the API's error shape."""

from __future__ import annotations

import json

from django.test import override_settings

from playground.composer import drafts
from playground.teams.models import Team


def _post(client, payload):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post("/draft", body, content_type="application/json")


STATE = {
    "request": {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]},
    "provider": None,
    "headers": {"anthropic-version": "2023-06-01", "x-sim-delay-ms": "5"},
    "mocks": {},
}


def test_it_saves_the_draft(client, alice):
    client.force_login(alice)
    response = _post(client, STATE)
    assert response.status_code == 200
    assert drafts.load_draft(alice, Team.objects.get(name="acme")) == STATE


def test_it_drops_a_pasted_api_key(client, alice):
    client.force_login(alice)
    _post(client, {**STATE, "headers": {"x-api-key": "sk-ant-api03-secret"}})
    stored = drafts.load_draft(alice, Team.objects.get(name="acme"))
    assert "sk-ant-api03-secret" not in json.dumps(stored)


def test_it_answers_malformed_json_in_the_error_shape(client, alice):
    client.force_login(alice)
    _post(client, STATE)
    response = _post(client, '{"request": ')
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    # The previous draft is untouched.
    assert drafts.load_draft(alice, Team.objects.get(name="acme")) == STATE


def test_it_rejects_unknown_keys(client, alice):
    client.force_login(alice)
    response = _post(client, {"request": {}, "password": "x"})
    assert response.status_code == 400
    assert "unknown draft keys: password" in response.json()["error"]["message"]


def test_it_refuses_users_without_a_team(client, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x")
    client.force_login(loner)
    response = _post(client, STATE)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


def test_it_only_accepts_post(client, alice):
    client.force_login(alice)
    assert client.get("/draft").status_code == 405


@override_settings(AUTO_LOGIN_USER=None)
def test_it_needs_a_login(client, db):
    assert _post(client, STATE).status_code == 302
