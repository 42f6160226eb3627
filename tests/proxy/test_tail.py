"""The live tail on /proxy/ lists the team's latest proxied and replayed calls only."""

from __future__ import annotations


def _record(team_name: str, key_name: str, source: str, model: str) -> str:
    from playground import recording
    from playground.teams.ops import ensure_team

    rec = recording.start_exchange(
        source=source, request_body=b'{"model": "%s", "max_tokens": 1, "messages": []}' % model.encode(),
        team_id=ensure_team(team_name).pk, proxy_key_name=key_name, provider="simulator",
    )
    rec.response_started(200, [("content-type", "application/json")])
    rec.body(b'{"type": "message", "content": []}')
    rec.finish()
    recording.flush_sync()
    return rec.public_id


def test_it_lists_the_teams_proxied_calls(logged_in, alice, bob):
    mine = _record("acme", "acme-agent", "proxy", "sim-acme-model")
    replayed = _record("acme", "acme-agent", "replay", "sim-acme-replay")
    _record("acme", "", "playground", "sim-composer-run")
    theirs = _record("globex", "globex-agent", "proxy", "sim-globex-model")

    html = logged_in(alice).get("/proxy/tail/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/exchanges/{mine}/" in html and f"/exchanges/{replayed}/" in html
    assert "acme-agent" in html and "sim-acme-model" in html
    assert "sim-composer-run" not in html
    assert theirs not in html and "globex-agent" not in html
    assert "<html" not in html

    page = logged_in(bob).get("/proxy/").content.decode()
    assert theirs in page and mine not in page
