"""Failures are typed and come back in the API's error shape: timeouts (connect, first byte,
idle), refused connections, redirects not followed, upstream error bodies."""

from __future__ import annotations

import socket

import pytest

from playground import runpath, upstream
from playground.providers.config import ProviderConfig


async def test_it_times_out_waiting_for_the_first_byte(capture_server):
    provider = capture_server.provider("stall-headers", first_byte_timeout=0.3)
    with pytest.raises(upstream.UpstreamTimeout) as info:
        async with upstream.open(provider, "POST", "/v1/messages", body=b"{}"):
            pass
    assert info.value.phase == "first_byte"
    result = runpath.failure(info.value)
    assert (result.http_status, result.outcome) == (504, "timeout")
    assert result.error["type"] == "timeout_error"


async def test_it_times_out_when_a_stream_goes_idle_but_keeps_what_arrived(capture_server):
    provider = capture_server.provider("stall-body", idle_timeout=0.3)
    events = []
    with pytest.raises(upstream.UpstreamTimeout) as info:
        async with upstream.open(provider, "POST", "/v1/messages", body=b"{}") as resp:
            async for ev in resp.events():
                events.append(ev)
    assert info.value.phase == "idle"
    assert [ev.sse.event for ev in events] == ["message_start"]


async def test_it_times_out_connecting():
    # A listener whose accept queue is full: further connection attempts get no answer.
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        filler.connect(("127.0.0.1", port))
        provider = ProviderConfig(name="full", base_url=f"http://127.0.0.1:{port}",
                                  allow_private_network=True, connect_timeout=0.3)
        try:
            with pytest.raises(upstream.UpstreamTimeout) as info:
                async with upstream.open(provider, "POST", "/v1/messages", body=b"{}"):
                    pass
        finally:
            await upstream.aclose()
    assert info.value.phase == "connect"


async def test_it_reports_a_refused_connection_as_unavailable():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = ProviderConfig(name="down", base_url=f"http://127.0.0.1:{port}", allow_private_network=True)
    try:
        with pytest.raises(upstream.UpstreamUnavailable) as info:
            async with upstream.open(provider, "POST", "/v1/messages", body=b"{}"):
                pass
    finally:
        await upstream.aclose()
    result = runpath.failure(info.value)
    assert (result.http_status, result.outcome, result.error["type"]) == (502, "upstream_error", "api_error")


async def test_it_never_follows_redirects(capture_server):
    async with upstream.open(capture_server.provider("redirect"), "POST", "/v1/messages", body=b"{}") as resp:
        assert resp.status == 307
        assert ("location", "http://127.0.0.1:1/elsewhere") in resp.headers
    assert len(capture_server.requests) == 1


async def test_it_passes_an_api_error_body_through_unchanged(capture_server):
    async with upstream.open(capture_server.provider("overloaded"), "POST", "/v1/messages", body=b"{}") as resp:
        assert resp.status == 529
        assert resp.request_id == "req_011CBusy"
        error = await resp.api_error()
    assert error == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"},
                     "request_id": "req_011CBusy"}


async def test_it_puts_a_foreign_error_page_into_the_api_shape(capture_server):
    async with upstream.open(capture_server.provider("html502"), "POST", "/v1/messages", body=b"{}") as resp:
        error = await resp.api_error()
    assert error["type"] == "error"
    assert error["error"]["type"] == "api_error"
    assert "502" in error["error"]["message"]


async def test_it_refuses_a_private_address_before_sending(capture_server):
    provider = capture_server.provider("echo", allow_private_network=False, api_key="sk-never-sent")
    with pytest.raises(upstream.UpstreamRefused) as info:
        async with upstream.open(provider, "POST", "/v1/messages", body=b"{}"):
            pass
    assert "loopback" in str(info.value)
    assert capture_server.requests == []
    assert (runpath.failure(info.value).http_status, runpath.failure(info.value).outcome) == (400, "rejected")


async def test_it_stops_a_stream_whose_event_never_ends(capture_server, monkeypatch):
    monkeypatch.setattr(upstream, "MAX_EVENT_BYTES", 64 * 1024)
    events = []
    with pytest.raises(upstream.EventTooLarge) as info:
        async with upstream.open(capture_server.provider("endless-event"), "POST", "/v1/messages", body=b"{}") as resp:
            async for ev in resp.events():
                events.append(ev)
    assert "over 65536 bytes" in str(info.value)
    # What arrived is still handed over, marked unterminated.
    assert len(events) == 1 and events[0].sse.terminated is False
    assert events[0].sse.event == "content_block_delta"
