""""Open in playground" from a share copies the request into the reader's own team."""

from __future__ import annotations

import pytest
from django.test import Client

from playground.composer.models import WorkingCopy
from playground.composer.workcopies import open_working_copy
from playground.recording.models import Exchange
from tests.inspector.loop import record_loop
from tests.sharing.support import BODY, record_simple, share_link

pytestmark = pytest.mark.django_db


def _team(user):
    return user.memberships.get().team


def _copy_of(user) -> dict:
    """The state of the one working copy `user` has in their team."""
    return WorkingCopy.objects.get(user=user, team=_team(user)).state


def test_a_user_of_another_team_gets_a_copy_in_their_own_team(alice, bob):
    exchange = record_simple(alice, request_headers={"content-type": "application/json",
                                                     "anthropic-version": "2023-06-01",
                                                     "anthropic-beta": "tools-2024-04-04",
                                                     "x-api-key": "sk-alice-secret-0123456789"})
    alice_state = {"request": {"model": "alice-own-draft", "max_tokens": 1, "messages": []},
                   "provider": None, "headers": {}, "mocks": {}}
    alice_copy = open_working_copy(alice, _team(alice), alice_state)
    path = share_link(alice, "exchange", exchange.public_id)

    client = Client()
    client.force_login(bob)
    response = client.post(f"{path}/open")
    opened = WorkingCopy.objects.get(user=bob)
    assert response.status_code == 302 and response.headers["Location"] == f"/?copy={opened.public_id}"
    assert opened.team == _team(bob) and opened.title == "Shared exchange"
    copy = opened.state
    assert copy["request"] == BODY
    assert copy["headers"] == {"anthropic-version": "2023-06-01", "anthropic-beta": "tools-2024-04-04"}
    assert copy["provider"] is None
    # The playground opens on it, in bob's team.
    page = client.get(response.headers["Location"]).content.decode()
    assert "What is the capital of Ruritania?" in page and "sk-alice-secret" not in page
    # Nothing of acme changed: alice's draft is hers, and acme has no new draft.
    assert WorkingCopy.objects.get(team=_team(alice)).state == alice_copy.state
    assert alice_copy.state["request"] == alice_state["request"]
    assert not WorkingCopy.objects.filter(user=bob, team=_team(alice)).exists()
    # Opening it again opens another tab: nothing bob has open is replaced.
    client.post(f"{path}/open")
    assert WorkingCopy.objects.filter(user=bob, team=_team(bob)).count() == 2


def test_a_thread_share_opens_its_latest_step(alice, bob):
    step0, step1, step2 = record_loop(alice)
    path = share_link(alice, "thread", Exchange.objects.get(pk=step0.pk).thread.public_id)
    client = Client()
    client.force_login(bob)
    assert client.post(f"{path}/open").status_code == 302
    assert _copy_of(bob)["request"] == Exchange.objects.get(pk=step2.pk).request_body


def test_a_visitor_is_asked_to_sign_in_first(alice, anonymous):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    for response in (Client().get(f"{path}/open"), Client().post(f"{path}/open")):
        assert response.status_code == 302 and "login" in response.headers["Location"]
    assert WorkingCopy.objects.count() == 0


def test_a_viewer_cannot_open_a_copy(alice, carol):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    client.force_login(carol)
    assert client.post(f"{path}/open").status_code == 403
    assert WorkingCopy.objects.count() == 0


def test_a_dead_link_opens_nothing(alice, bob):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    client.force_login(bob)
    assert client.post(path[:-1] + "/open").status_code == 404
    assert client.get(path[:-1] + "/open").status_code == 404
    assert WorkingCopy.objects.count() == 0


def test_the_question_names_the_readers_team_and_writes_nothing(alice, bob):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    client.force_login(bob)
    page = client.get(path)
    assert f'href="{path}/open"' in page.content.decode()
    question = client.get(f"{path}/open")
    assert question.status_code == 200
    assert '<strong data-testid="open-team">globex</strong>' in question.content.decode()
    assert f'action="{path}/open"' in question.content.decode()
    # A same-origin policy, so the browser's POST carries a real Origin for the CSRF check.
    assert question.headers["Referrer-Policy"] == "same-origin"
    assert question.headers["X-Robots-Tag"] == "noindex"
    assert WorkingCopy.objects.count() == 0


def test_a_request_that_is_not_json_is_a_clear_error(alice, bob):
    from tests.inspector.recorded import record

    exchange = record(alice, b"this is not json", status=400,
                      response={"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}})
    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    client.force_login(bob)
    response = client.post(f"{path}/open")
    assert response.status_code == 400
    assert "no JSON request" in response.content.decode()
    assert WorkingCopy.objects.count() == 0
