"""An upstream that fails mid-stream: its error event passes as sent; a cut connection ends
with an api_error event, never with a clean close that looks complete."""

from __future__ import annotations

import json

import anthropic
import httpx
import pytest

from playground.contract.sse import parse_all
from playground.recording.events import iter_events
from tests.proxy.conftest import recorded

BODY = {"model": "fake-1", "max_tokens": 5, "stream": True, "messages": []}


def _events(proxy_url: str, key: str, scenario: str) -> tuple[httpx.Response, list]:
    with httpx.Client(timeout=10) as client:
        response = client.post(
            f"{proxy_url}/v1/messages", json=BODY,
            headers={"x-api-key": key, "x-test-scenario": scenario, "x-test-id": scenario},
        )
    return response, parse_all(response.content)


@pytest.mark.parametrize("scenario", ["cut", "clean_but_short"])
def test_it_ends_a_cut_stream_with_an_api_error_event(proxy_url, fake_key, scenario):
    response, events = _events(proxy_url, fake_key, scenario)
    assert response.status_code == 200
    names = [e.event for e in events]
    assert names == ["message_start", "content_block_start", "content_block_delta", "error"]
    error = json.loads(events[-1].data)
    assert error["type"] == "error" and error["error"]["type"] == "api_error"
    assert all(e.terminated for e in events)
    [ex] = recorded(1, proxy_key_name="acme-fake")
    assert ex.outcome == "incomplete"
    if scenario == "cut":
        # The half event that arrived is kept in the record, flagged, though not relayed.
        assert sum(not e.terminated for e in iter_events(ex)) == 1


def test_it_makes_the_sdk_raise_on_a_cut_stream(proxy_url, fake_key):
    with (
        anthropic.Anthropic(base_url=proxy_url, api_key=fake_key, max_retries=0) as client,
        pytest.raises(anthropic.APIStatusError, match="closed before the stream finished"),
        client.messages.stream(
            model="fake-1", max_tokens=5, messages=[{"role": "user", "content": "x"}],
            extra_headers={"x-test-scenario": "cut"},
        ) as stream,
    ):
        stream.get_final_message()


def test_it_relays_the_upstream_error_event_as_sent(proxy_url, acme_key):
    with httpx.Client(timeout=10) as client:
        response = client.post(
            f"{proxy_url}/v1/messages",
            json={**BODY, "model": "sim-1", "max_tokens": 400,
                  "messages": [{"role": "user", "content": "hello there"}]},
            headers={"x-api-key": acme_key, "x-sim-fault": "error_mid_stream"},
        )
    events = parse_all(response.content)
    assert events[-1].event == "error"
    assert json.loads(events[-1].data)["error"]["type"] == "overloaded_error"
    assert [e.event for e in events].count("error") == 1
    [ex] = recorded(1)
    assert ex.outcome == "error_mid_stream" and ex.error_type == "overloaded_error"


def test_it_refuses_a_non_sse_answer_to_a_stream(proxy_url, fake_key):
    response, _events_ = _events(proxy_url, fake_key, "not_sse")
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "api_error"
    [ex] = recorded(1, proxy_key_name="acme-fake")
    assert ex.outcome == "upstream_error"


def test_it_answers_502_when_the_upstream_is_down(client, alice):
    from tests.proxy.conftest import pinned_key

    with socket_port() as port:
        key = pinned_key("acme", "acme-down", f"http://127.0.0.1:{port}", "down")
    response = client.post(
        "/v1/messages", content=json.dumps({**BODY, "stream": False}), headers={"x-api-key": key}
    )
    assert response.status_code == 502
    assert response.headers["x-should-retry"] == "true"
    assert response.json()["error"]["type"] == "api_error"
    [ex] = recorded(1, proxy_key_name="acme-down")
    assert ex.outcome == "upstream_error"


class socket_port:
    """A loopback port that nothing listens on (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc) -> None:
        return None
