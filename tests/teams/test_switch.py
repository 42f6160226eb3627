"""Creating teams and switching between them; the choice is remembered per user."""

from __future__ import annotations

from django.test import Client

from playground.teams.models import Membership, Team
from playground.teams.ops import add_member, ensure_team


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def current(client: Client) -> str:
    html = client.get("/").content.decode()
    start = html.index('data-testid="current-team">') + len('data-testid="current-team">')
    return html[start:html.index("<", start)]


def test_it_creates_a_team_owned_by_its_creator(alice):
    client = signed_in(alice)
    response = client.post("/teams/new/", {"name": "  zeta  "})
    assert response.status_code == 302 and response["Location"] == "/teams/"
    team = Team.objects.get(name="zeta")
    assert Membership.objects.get(team=team, user=alice).role == "owner"
    assert current(client) == "zeta"


def test_it_refuses_a_taken_blank_or_overlong_name_inline(alice, bob):
    client = signed_in(alice)
    for name, message in (("globex", "already exists"), ("   ", "Give the team a name"),
                          ("x" * 101, "at most 100"), ("a\x00b", "control characters")):
        response = client.post("/teams/new/", {"name": name})
        assert response.status_code == 200 and message in response.content.decode(), name
    assert Team.objects.count() == 2


def test_it_switches_teams_and_remembers_the_choice_across_sign_ins(alice):
    beta = ensure_team("beta")
    add_member(beta, alice, "viewer")
    client = signed_in(alice)
    assert current(client) == "acme"
    response = client.post("/teams/switch/", {"team": beta.pk, "next": "/exchanges/some-id/"})
    assert response.status_code == 302 and response["Location"] == "/exchanges/"
    assert current(client) == "beta"
    # A new session (another browser, or after signing out) starts in the team last chosen.
    assert current(signed_in(alice)) == "beta"
    html = client.get("/").content.decode()
    assert 'data-testid="viewer-notice"' in html
    assert 'data-testid="run" title="Viewers cannot run requests" disabled' in html


def test_it_refuses_to_switch_to_a_team_one_is_not_in(alice, bob):
    globex = Team.objects.get(name="globex")
    client = signed_in(alice)
    assert client.post("/teams/switch/", {"team": globex.pk}).status_code == 404
    assert client.post("/teams/switch/", {"team": "x"}).status_code == 404
    assert current(client) == "acme"


def test_it_keeps_the_switch_on_this_site(alice):
    beta = ensure_team("beta")
    add_member(beta, alice)
    response = signed_in(alice).post("/teams/switch/", {"team": beta.pk, "next": "//evil.example/x"})
    assert response["Location"] == "/"


def test_it_lists_every_team_of_the_user_in_the_switcher(alice):
    for name in ("beta", "gamma"):
        add_member(ensure_team(name), alice)
    html = signed_in(alice).get("/").content.decode()
    assert html.count('data-testid="switch-team"') == 2
