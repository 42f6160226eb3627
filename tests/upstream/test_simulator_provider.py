"""The built-in provider: `sim*` models stream from the in-process simulator through the
same upstream client, timeouts and cut handling as a network provider."""

from __future__ import annotations

import dataclasses
import json

import pytest

from playground import providers, upstream
from playground.contract.accumulate import Accumulator

BODY = json.dumps({
    "model": "sim-1", "max_tokens": 200, "stream": True,
    "messages": [{"role": "user", "content": "Tell me about pelicans."}],
}).encode()


@pytest.fixture
async def closing():
    yield
    await upstream.aclose()


async def run(provider, headers=None):
    acc = Accumulator()
    async with upstream.open(provider, "POST", "/v1/messages", headers=headers or {}, body=BODY) as resp:
        assert resp.status == 200
        async for ev in resp.events():
            acc.add_sse(ev.sse)
        return resp, acc.finish()


async def test_it_streams_a_sim_model_to_a_complete_message(closing):
    provider = providers.resolve("sim-1")
    resp, result = await run(provider)
    assert resp.request_id.startswith("req_")
    assert result.outcome == "completed"
    assert result.anomalies == []
    assert result.message["content"][0]["type"] in ("text", "thinking")
    assert result.message["usage"]["output_tokens"] > 0


async def test_it_reports_a_simulated_cut_as_incomplete(closing):
    resp, result = await run(providers.resolve("sim-1"), {"x-sim-fault": "cut_mid_stream"})
    assert resp.transport_error is not None
    assert result.outcome == "incomplete"
    assert result.message is not None


async def test_it_reports_a_simulated_error_event(closing):
    _, result = await run(providers.resolve("sim-1"), {"x-sim-fault": "error_mid_stream"})
    assert result.outcome == "error"
    assert result.error["type"] == "overloaded_error"


async def test_it_times_out_a_stalled_simulator_between_events(closing):
    provider = dataclasses.replace(providers.resolve("sim-1"), idle_timeout=0.2)
    with pytest.raises(upstream.UpstreamTimeout) as info:
        await run(provider, {"x-sim-fault": "stall", "x-sim-stall-ms": "5000"})
    assert info.value.phase == "idle"


async def test_it_keeps_one_client_per_event_loop(closing):
    provider = providers.resolve("sim-1")
    await run(provider)
    await run(provider)
    import asyncio

    clients = upstream._clients[asyncio.get_running_loop()]
    assert len(clients) == 1
    await upstream.aclose()
    assert asyncio.get_running_loop() not in upstream._clients
    assert all(c.is_closed for c in clients.values())
