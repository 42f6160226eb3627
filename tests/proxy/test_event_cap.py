"""An upstream stream whose event never ends is stopped at the per-event cap: the client
gets an `error` event, the record says why, and memory stays bounded."""

from __future__ import annotations

import json

import httpx

from playground import upstream
from playground.contract.sse import parse_all
from tests.proxy import fake_upstream
from tests.proxy.conftest import recorded

BODY = {"model": "fake-1", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "x"}]}


def test_it_stops_a_stream_whose_event_passes_the_cap(proxy_url, fake_key, monkeypatch):
    monkeypatch.setattr(upstream, "MAX_EVENT_BYTES", 1024 * 1024)
    with httpx.Client(timeout=30) as client:
        response = client.post(
            f"{proxy_url}/v1/messages", json=BODY,
            headers={"x-api-key": fake_key, "x-test-scenario": "endless_event", "x-test-id": "endless"},
        )
    assert response.status_code == 200
    assert len(response.content) < 64 * 1024  # the unfinished event is never relayed
    events = parse_all(response.content)
    assert [e.event for e in events] == ["message_start", "error"]
    error = json.loads(events[-1].data)["error"]
    assert error["type"] == "api_error" and "an event over 1 MB" in error["message"]
    [exchange] = recorded(1, proxy_key_name="acme-fake")
    assert exchange.outcome == "incomplete"
    assert "an event over 1 MB" in exchange.error_message
    assert fake_upstream.SEEN["endless"]  # the upstream was reached, then dropped
