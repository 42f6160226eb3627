"""A client that goes away stops the standalone simulator's generation at once."""

from __future__ import annotations

import time

import httpx
import pytest

from playground.simulator import asgi, engine


def _wait_idle(limit: float = 1.0) -> float:
    started = time.monotonic()
    while engine.streams.active and time.monotonic() - started < limit:
        time.sleep(0.01)
    return time.monotonic() - started


def test_it_stops_a_paced_stream_when_the_sdk_closes_it(client):
    with client.messages.stream(
        model="sim-1",
        max_tokens=100_000,
        messages=[{"role": "user", "content": "Write forever"}],
        extra_headers={"x-sim-delay-ms": "20", "x-sim-output-tokens": "50000"},
    ) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                assert engine.streams.active == 1
                break
    assert _wait_idle(limit=3.0) < 2.0
    assert engine.streams.active == 0


def test_it_stops_a_stalled_stream_when_the_client_drops(sim_url):
    with httpx.Client(base_url=sim_url) as http, http.stream(
        "POST",
        "/v1/messages",
        json={"model": "sim-1", "max_tokens": 500, "messages": [{"role": "user", "content": "hi"}], "stream": True},
        headers={"x-sim-fault": "stall", "x-sim-stall-ms": "60000", "x-sim-fault-after": "1"},
    ) as response:
        # Keep the iterator referenced: dropping it would close the connection early.
        chunks = response.iter_raw()
        for chunk in chunks:
            if b"content_block_delta" in chunk:
                break
        time.sleep(0.1)
        assert engine.streams.active == 1, "the stream is stalled, still generating"
    assert _wait_idle(limit=3.0) < 2.0


def test_it_stops_waiting_on_a_non_streaming_stall_when_the_client_drops(sim_url):
    before = asgi.inflight.active
    with httpx.Client(base_url=sim_url, timeout=0.3) as http, pytest.raises(httpx.ReadTimeout):
        http.post(
            "/v1/messages",
            json={"model": "sim-1", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]},
            headers={"x-sim-fault": "stall", "x-sim-stall-ms": "60000"},
        )
    started = time.monotonic()
    while asgi.inflight.active > before and time.monotonic() - started < 3.0:
        time.sleep(0.01)
    assert asgi.inflight.active == before
