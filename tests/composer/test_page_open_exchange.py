"""`/?exchange=<public_id>` opens a recorded request as a new working copy, for its team only."""

from __future__ import annotations

import base64
import json
import re

from playground import recording
from playground.composer import workcopies
from playground.teams.models import Team

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048).decode()
BODY = {
    "model": "sim-1",
    "max_tokens": 99,
    "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                {"type": "text", "text": "what is this?"},
            ],
        }
    ],
}


def _record(user, team_name: str) -> str:
    team = Team.objects.get(name=team_name)
    rec = recording.start_exchange(
        source="proxy",
        request_headers={
            "content-type": "application/json",
            "x-api-key": "sk-ant-secret",
            "anthropic-version": "2023-06-01",
            "anthropic-beta": "interleaved-thinking-2025-05-14",
        },
        request_body=json.dumps(BODY).encode(),
        provider="simulator",
        team_id=team.pk,
        user_id=user.pk,
    )
    rec.response_started(200, {"content-type": "application/json"})
    rec.body(b'{"type": "message"}')
    rec.finish()
    recording.flush_sync()
    return rec.public_id


def _state(response) -> dict:
    match = re.search(r'<script id="composer-state" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_it_opens_the_exact_recorded_request(client, alice):
    public_id = _record(alice, "acme")
    client.force_login(alice)
    response = client.get(f"/?exchange={public_id}")
    assert response.status_code == 200
    state = _state(response)
    assert state["request"] == BODY  # media rehydrated, nothing dropped
    assert state["headers"] == {"anthropic-version": "2023-06-01", "anthropic-beta": "interleaved-thinking-2025-05-14"}
    assert "sk-ant-secret" not in response.content.decode()
    assert f"Opened the request of exchange {public_id}" in response.content.decode()


def test_it_does_not_open_another_teams_exchange(client, alice, bob):
    public_id = _record(alice, "acme")
    client.force_login(bob)
    response = client.get(f"/?exchange={public_id}")
    assert response.status_code == 200
    assert "be brief" not in response.content.decode()
    assert "does not exist or belongs to another team" in response.content.decode()
    assert _state(response)["request"]["model"] == "sim-1"


def test_an_unknown_id_is_a_notice_not_an_error(client, alice):
    client.force_login(alice)
    response = client.get("/?exchange=nope")
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()


def test_it_opens_a_new_copy_and_touches_no_other(client, alice):
    team = Team.objects.get(name="acme")
    mine = workcopies.open_working_copy(alice, team, workcopies.default_state("sim-1-fast"), "Mine")
    public_id = _record(alice, "acme")
    client.force_login(alice)
    response = client.get(f"/?exchange={public_id}")
    copies = list(workcopies.copies_for(alice, team))
    assert [c.pk for c in copies][0] == mine.pk and len(copies) == 2
    assert workcopies.get_copy(alice, team, mine.public_id).state["request"]["model"] == "sim-1-fast"
    opened = copies[1]
    assert opened.state["request"] == BODY and opened.title == f"Exchange {public_id[:8]}"
    assert not opened.unsaved
    # The page says which copy it shows, so its script can put `?copy=` in the address bar.
    assert f'"id": "{opened.public_id}"' in response.content.decode()
    # Opening it again is another new copy: nothing is ever replaced.
    client.get(f"/?exchange={public_id}")
    assert workcopies.copies_for(alice, team).count() == 3


def test_a_thread_step_opens_in_a_new_tab(client, alice):
    from tests.inspector.loop import record_loop

    team = Team.objects.get(name="acme")
    step0, step1, _ = record_loop(alice)
    client.force_login(alice)
    thread_page = client.get(f"/exchanges/threads/{step1.thread.public_id}/").content.decode()
    link = f"/?exchange={step1.public_id}"
    assert f'href="{link}" data-testid="open-step"' in thread_page
    client.get(link)
    opened = workcopies.copies_for(alice, team).last()
    assert opened.state["request"]["messages"] == step1.request_body["messages"]


def test_at_the_limit_it_says_so_and_shows_the_open_tabs(client, alice, monkeypatch):
    monkeypatch.setattr(workcopies, "MAX_COPIES", 1)
    team = Team.objects.get(name="acme")
    mine = workcopies.open_working_copy(alice, team, workcopies.default_state("sim-1-fast"), "Mine")
    public_id = _record(alice, "acme")
    client.force_login(alice)
    response = client.get(f"/?exchange={public_id}")
    page = response.content.decode()
    assert "Not opened: at most 1 requests open at once" in page
    assert _state(response)["request"]["model"] == "sim-1-fast"
    assert f'data-copy="{mine.public_id}"' in page
    assert workcopies.copies_for(alice, team).count() == 1
