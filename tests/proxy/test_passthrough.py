"""Passthrough providers forward the caller's own key (never stored); others never do.
When the recorder cannot keep up, calls are refused rather than relayed unrecorded."""

from __future__ import annotations

import json

from tests.proxy.conftest import recorded
from tests.proxy.fake_upstream import SEEN

BODY = json.dumps({"model": "fake-1", "max_tokens": 5, "messages": []})
CALLER_KEY = "sk-ant-api03-caller-own-key-CANARY"


def _passthrough_key(upstream_server) -> str:
    from playground.providers.ops import save_provider
    from playground.proxy.keys import create_key
    from playground.teams.ops import ensure_team
    from tests.proxy import fake_upstream

    url = upstream_server(fake_upstream.app)
    save_provider("byok", base_url=url, model_patterns=["fake-*"], auth_style="x-api-key",
                  allow_private_network=True, passthrough=True)
    _key, raw = create_key(ensure_team("acme"), "acme-byok", provider="byok")
    return raw


def test_it_forwards_the_callers_key_and_never_stores_it(client, upstream_server, alice):
    proxy_key = _passthrough_key(upstream_server)
    response = client.post(
        "/v1/messages", content=BODY,
        headers={"x-playground-key": proxy_key, "x-api-key": CALLER_KEY, "x-test-id": "byok"},
    )
    assert response.status_code == 200
    assert SEEN["byok"]["headers"]["x-api-key"] == CALLER_KEY
    assert "x-playground-key" not in SEEN["byok"]["headers"]
    [ex] = recorded(1, proxy_key_name="acme-byok")
    from playground.recording.models import Exchange

    stored = json.dumps(list(Exchange.objects.filter(pk=ex.pk).values()), default=str)
    assert CALLER_KEY not in stored and proxy_key not in stored


def test_it_asks_for_the_callers_key_on_a_passthrough_provider(client, upstream_server, alice):
    proxy_key = _passthrough_key(upstream_server)
    response = client.post("/v1/messages", content=BODY, headers={"x-api-key": proxy_key})
    assert response.status_code == 401
    assert "x-playground-key" in response.json()["error"]["message"]


def test_it_never_forwards_a_callers_key_to_other_providers(client, fake_key):
    response = client.post(
        "/v1/messages", content=BODY,
        headers={"x-playground-key": fake_key, "x-api-key": CALLER_KEY, "x-test-id": "no-byok"},
    )
    assert response.status_code == 200
    assert "x-api-key" not in SEEN["no-byok"]["headers"]


def test_it_refuses_calls_while_the_recorder_is_saturated(client, acme_key, monkeypatch):
    from playground.recording import writer

    monkeypatch.setattr(writer, "MAX_PENDING", 0)
    response = client.post(
        "/v1/messages", content=json.dumps({"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}),
        headers={"x-api-key": acme_key},
    )
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "api_error"
    assert "(the recording queue is full)" in response.json()["error"]["message"]
    assert response.headers["x-should-retry"] == "true"
