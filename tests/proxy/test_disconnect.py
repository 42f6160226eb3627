"""A client that goes away cancels the upstream request within a second, even before the
first byte, and the partial exchange is recorded as client_cancelled."""

from __future__ import annotations

import json
import socket
import time

import anthropic

from playground.recording.events import iter_events
from tests.proxy.conftest import recorded
from tests.proxy.fake_upstream import SEEN

BODY = json.dumps({"model": "fake-1", "max_tokens": 5, "stream": True, "messages": []}).encode()


def _open(proxy_url: str, key: str, scenario: str, test_id: str) -> socket.socket:
    host, port = proxy_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        (
            f"POST /v1/messages HTTP/1.1\r\nHost: {host}:{port}\r\nx-api-key: {key}\r\n"
            f"x-test-scenario: {scenario}\r\nx-test-id: {test_id}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(BODY)}\r\n\r\n"
        ).encode()
        + BODY
    )
    return sock


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_it_cancels_upstream_before_the_first_byte(proxy_url, fake_key):
    sock = _open(proxy_url, fake_key, "slow_headers", "early")
    assert _wait_for(lambda: "received_at" in SEEN.get("early", {}), 5)
    closed_at = time.monotonic()
    sock.close()
    assert _wait_for(lambda: "disconnected_at" in SEEN["early"], 2)
    assert SEEN["early"]["disconnected_at"] - closed_at < 1.0
    [ex] = recorded(1, proxy_key_name="acme-fake")
    assert ex.outcome == "client_cancelled" and ex.status is None


def test_it_cancels_upstream_mid_stream_and_keeps_the_partial_events(proxy_url, fake_key):
    sock = _open(proxy_url, fake_key, "slow_stream", "mid")
    received = b""
    while b"message_start" not in received:
        received += sock.recv(65536)
    closed_at = time.monotonic()
    sock.close()
    assert _wait_for(lambda: "disconnected_at" in SEEN.get("mid", {}), 2)
    assert SEEN["mid"]["disconnected_at"] - closed_at < 1.0
    [ex] = recorded(1, proxy_key_name="acme-fake")
    assert ex.outcome == "client_cancelled" and ex.status == 200
    assert [e.event for e in iter_events(ex)] == ["message_start"]


def test_it_cancels_when_the_sdk_closes_its_stream(proxy_url, acme_key):
    with anthropic.Anthropic(base_url=proxy_url, api_key=acme_key, max_retries=0) as client:
        stream = client.messages.create(
            model="sim-1", max_tokens=4000, stream=True,
            messages=[{"role": "user", "content": "a long answer please"}],
            extra_headers={"x-sim-output-tokens": "3000", "x-sim-delay-ms": "20"},
        )
        for event in stream:
            if event.type == "content_block_delta":
                break
        stream.close()
    [ex] = recorded(1, timeout=3)
    assert ex.outcome == "client_cancelled"
    assert 2 < ex.event_count < 50  # stopped long before the ~900 events of the whole answer
