"""The composer page: the user's working copy or a default request, no inline scripts, login needed."""

from __future__ import annotations

import json
import re

from django.test import override_settings

from playground.composer import workcopies
from playground.teams.models import Team


def _initial_state(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="composer-state" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries its state as a JSON script element"
    return json.loads(match.group(1))


def test_it_opens_on_a_default_request(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 200
    state = _initial_state(response)
    assert state["request"]["model"] == "sim-1"
    assert state["request"]["messages"][0]["role"] == "user"
    assert state["headers"]["anthropic-version"] == "2023-06-01"


def test_it_opens_on_the_copy_shown_last(client, alice):
    team = Team.objects.get(name="acme")
    state = {
        "request": {"model": "sim-1-fast", "max_tokens": 77, "messages": [{"role": "user", "content": "kept </script><b>"}]},
        "provider": None,
        "headers": {"anthropic-beta": "b1"},
        "mocks": {"t": {"type": "static", "value": 1}},
        "notes": "",
        "variables": {"sets": [], "active": None},
    }
    older = workcopies.open_working_copy(alice, team, state, "Older")
    workcopies.open_working_copy(alice, team, workcopies.default_state(), "Newer")
    client.force_login(alice)
    response = client.get(f"/?copy={older.public_id}")
    assert _initial_state(response) == state
    # The JSON is escaped: a state cannot close the script element.
    assert "kept </script><b>" not in response.content.decode()
    # Both copies are tabs; the last one shown is what `/` opens next.
    assert response.content.decode().count('data-testid="copy-tab"') == 2
    assert _initial_state(client.get("/")) == state


def test_a_first_visit_opens_one_default_copy(client, alice):
    client.force_login(alice)
    client.get("/")
    client.get("/")
    assert workcopies.copies_for(alice, Team.objects.get(name="acme")).count() == 1


def test_it_never_shows_another_users_copy(client, alice, bob):
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), {"request": {"model": "alice-secret-model"}})
    client.force_login(bob)
    response = client.get("/")
    assert "alice-secret-model" not in response.content.decode()
    assert _initial_state(response)["request"]["model"] == "sim-1"


def test_it_has_no_inline_script_and_sends_a_strict_csp(client, alice):
    client.force_login(alice)
    response = client.get("/")
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_it_lists_the_simulator_models(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'value="|sim-1"' in html and 'value="|sim-1-fast"' in html


@override_settings(AUTO_LOGIN_USER=None)
def test_it_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
