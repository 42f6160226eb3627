"""Replay a recorded exchange against the same or another model, then land on the diff."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from playground.recording.models import Exchange
from tests.inspector.recorded import record

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"model": "sim-1", "max_tokens": 64, "temperature": 0.3,
        "system": "Answer briefly.", "messages": [{"role": "user", "content": "Say hello."}]}
REPLY = {"id": "msg_old", "type": "message", "role": "assistant", "model": "sim-1",
         "content": [{"type": "text", "text": "An old answer."}], "stop_reason": "end_turn",
         "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 3}}


def test_it_replays_and_redirects_to_the_diff(client, alice):
    original = record(alice, BODY, response=REPLY, request_headers={
        "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-ant-secret-key-value"})
    client.force_login(alice)
    response = client.post(f"{original.get_absolute_url()}replay/", {"model": ""})
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == "/exchanges/diff/"
    query = parse_qs(target.query)
    assert query["a"] == [original.public_id]
    replayed = Exchange.objects.get(public_id=query["b"][0])
    assert replayed.source == "replay"
    assert replayed.team_id == original.team_id
    assert replayed.request_body["messages"] == BODY["messages"]
    assert replayed.request_body["system"] == BODY["system"]
    assert client.get(response["Location"]).status_code == 200


def test_it_replays_against_another_model(client, alice):
    original = record(alice, BODY, response=REPLY)
    client.force_login(alice)
    response = client.post(f"{original.get_absolute_url()}replay/", {"model": "sim-2"})
    assert response.status_code == 302
    replayed = Exchange.objects.get(public_id=parse_qs(urlparse(response["Location"]).query)["b"][0])
    assert replayed.request_body["model"] == "sim-2"
    assert replayed.request_body["temperature"] == 0.3


def test_it_explains_a_refused_replay_inline(client, alice):
    original = record(alice, BODY, response=REPLY)
    client.force_login(alice)
    response = client.post(f"{original.get_absolute_url()}replay/", {"model": "no-such-model-anywhere"})
    assert response.status_code == 400
    assert "no-such-model-anywhere" in response.content.decode()
    for bad in ("sim\x00-1", "x" * 201):
        response = client.post(f"{original.get_absolute_url()}replay/", {"model": bad})
        assert response.status_code == 400
        assert "model:" in response.content.decode()


def test_it_refuses_another_teams_replay_and_a_get(client, alice, bob):
    original = record(alice, BODY, response=REPLY)
    client.force_login(bob)
    assert client.post(f"{original.get_absolute_url()}replay/", {"model": ""}).status_code == 404
    client.force_login(alice)
    assert client.get(f"{original.get_absolute_url()}replay/").status_code == 405
    assert not Exchange.objects.filter(source="replay").exists()
