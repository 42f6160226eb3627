"""Replay mode: a recorded exchange answers the same request byte for byte (offline), an
unmatched request names the nearest recording and the first difference."""

from __future__ import annotations

import time

import anthropic
import httpx
import pytest

from tests.proxy.conftest import recorded

ASK = {
    "model": "sim-1",
    "max_tokens": 200,
    "stream": True,
    "metadata": {"user_id": "run-1"},
    "messages": [{"role": "user", "content": "What does a cassette hold?"}],
}


def _post(url: str, key: str, body: dict, headers: dict | None = None) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.post(f"{url}/v1/messages", json=body, headers={"x-api-key": key, **(headers or {})})


def _replay(key_raw: str, **settings) -> None:
    from playground.proxy.keys import set_replay
    from playground.proxy.models import ProxyKey

    set_replay(ProxyKey.objects.get(prefix=key_raw[:12]), mode="replay", **settings)


def test_it_replays_a_recorded_stream_byte_for_byte(proxy_url, acme_key):
    original = _post(proxy_url, acme_key, ASK)
    recorded(1)
    _replay(acme_key)
    again = _post(proxy_url, acme_key, {**ASK, "metadata": {"user_id": "run-2"}})
    assert again.status_code == 200
    assert again.content == original.content
    assert again.headers["request-id"] == original.headers["request-id"]
    rows = recorded(2)
    assert [r.source for r in rows] == ["proxy", "replay"]
    assert rows[1].outcome == "completed" and rows[1].event_count == rows[0].event_count


def test_it_replays_a_non_streaming_answer_for_the_sdk(proxy_url, acme_key):
    with anthropic.Anthropic(base_url=proxy_url, api_key=acme_key, max_retries=0) as client:
        first = client.messages.create(model="sim-1", max_tokens=50, messages=ASK["messages"])
        recorded(1)
        _replay(acme_key)
        second = client.messages.create(model="sim-1", max_tokens=50, messages=ASK["messages"])
    assert second.model_dump() == first.model_dump()
    assert [r.source for r in recorded(2)] == ["proxy", "replay"]


def test_it_replays_a_non_streaming_body_byte_for_byte(proxy_url, acme_key):
    ask = {k: v for k, v in ASK.items() if k != "stream"}
    original = _post(proxy_url, acme_key, ask)
    recorded(1)
    _replay(acme_key)
    again = _post(proxy_url, acme_key, ask)
    assert again.status_code == original.status_code == 200
    assert again.content == original.content


def test_it_names_the_nearest_recording_and_the_first_difference(proxy_url, acme_key):
    _post(proxy_url, acme_key, ASK)
    [ex] = recorded(1)
    _replay(acme_key)
    changed = {**ASK, "messages": [{"role": "user", "content": "What does a tape hold?"}]}
    response = _post(proxy_url, acme_key, changed)
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert ex.public_id in message
    assert "messages[0].content" in message
    assert "What does a tape hold?" in message and "What does a cassette hold?" in message
    assert response.headers["x-should-retry"] == "false"


def test_it_passes_unmatched_requests_through_when_the_key_says_so(proxy_url, acme_key):
    _replay(acme_key, unmatched="passthrough")
    response = _post(proxy_url, acme_key, ASK)
    assert response.status_code == 200
    assert [r.source for r in recorded(1)] == ["proxy"]


def test_it_keeps_the_original_timing_or_plays_fast(proxy_url, acme_key):
    delayed = {"x-sim-delay-ms": "25", "x-sim-output-tokens": "60"}
    body = {**ASK, "max_tokens": 500}
    started = time.monotonic()
    original = _post(proxy_url, acme_key, body, delayed)
    recorded_span = time.monotonic() - started
    assert recorded_span > 0.4
    recorded(1)
    _replay(acme_key, timing="original")
    started = time.monotonic()
    assert _post(proxy_url, acme_key, body).content == original.content
    assert time.monotonic() - started > recorded_span * 0.7
    _replay(acme_key, timing="fast")
    started = time.monotonic()
    assert _post(proxy_url, acme_key, body).content == original.content
    assert time.monotonic() - started < recorded_span * 0.5


def test_it_never_replays_another_teams_recordings(proxy_url, acme_key, globex_key):
    _post(proxy_url, acme_key, ASK)
    recorded(1)
    _replay(globex_key)
    response = _post(proxy_url, globex_key, ASK)
    assert response.status_code == 404
    assert "no recorded exchange" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("sent", "recorded_", "where"),
    [
        ({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}, "a[1].b"),
        ({"a": 1}, {"a": 1, "z": 2}, "z"),
        ({"a": [1, 2]}, {"a": [1]}, "a[1]"),
        ({"a": 1}, {"a": 1.0}, "a"),
    ],
)
def test_it_finds_the_first_difference(sent, recorded_, where):
    from playground.proxy.replay import first_difference

    assert first_difference(sent, recorded_)[0] == where
    assert first_difference(sent, sent) is None
