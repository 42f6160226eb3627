"""SimulatorTransport: the simulator in-process behind httpx.AsyncClient, streaming live."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from playground.contract.accumulate import Accumulator
from playground.contract.sse import SSEParser
from playground.simulator import engine
from playground.simulator.transport import SimulatorTransport

REQUEST = {"model": "sim-1", "max_tokens": 300, "messages": [{"role": "user", "content": "Name three rivers"}]}


def _client(**kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=SimulatorTransport(), base_url="http://simulator", **kwargs)


async def test_it_answers_create_and_the_stream_gives_the_same_message():
    async with _client() as http:
        created = (await http.post("/v1/messages", json=REQUEST)).json()
        events = []
        parser = SSEParser()
        async with http.stream("POST", "/v1/messages", json={**REQUEST, "stream": True}) as response:
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            async for chunk in response.aiter_raw():
                events += parser.feed(chunk)
    accumulator = Accumulator()
    for event in events:
        accumulator.add_sse(event)
    result = accumulator.finish()
    assert result.outcome == "completed"
    assert result.message == created


async def test_it_streams_live_one_event_per_chunk():
    arrivals = []
    async with _client() as http, http.stream(
        "POST", "/v1/messages", json={**REQUEST, "stream": True}, headers={"x-sim-delay-ms": "25"}
    ) as response:
        async for chunk in response.aiter_raw():
            assert chunk.endswith(b"\n\n") and chunk.count(b"event: ") == 1
            arrivals.append(time.monotonic())
    assert len(arrivals) > 5
    assert arrivals[-1] - arrivals[0] >= 0.025 * (len(arrivals) - 1) * 0.9


async def test_it_stops_generating_when_the_response_is_closed():
    async with _client() as http:
        async with http.stream(
            "POST", "/v1/messages", json={**REQUEST, "stream": True},
            headers={"x-sim-delay-ms": "10", "x-sim-output-tokens": "5000"},
        ) as response:
            async for _ in response.aiter_raw():
                assert engine.streams.active == 1
                break
        assert engine.streams.active == 0


async def test_it_raises_read_timeout_on_a_stall_longer_than_the_timeout():
    async with _client(timeout=httpx.Timeout(5, read=0.2)) as http:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            async with http.stream(
                "POST", "/v1/messages", json={**REQUEST, "stream": True},
                headers={"x-sim-fault": "stall", "x-sim-stall-ms": "5000"},
            ) as response:
                async for _ in response.aiter_raw():
                    pass
        assert time.monotonic() - started < 3.0
    assert engine.streams.active == 0


async def test_it_raises_remote_protocol_error_on_a_cut():
    received = bytearray()
    async with _client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            async with http.stream(
                "POST", "/v1/messages", json={**REQUEST, "stream": True}, headers={"x-sim-fault": "cut_mid_stream"}
            ) as response:
                async for chunk in response.aiter_raw():
                    received += chunk
    assert b"content_block_delta" in received and b"message_stop" not in received


async def test_it_serves_errors_models_and_count_tokens():
    async with _client() as http:
        overloaded = await http.post("/v1/messages", json=REQUEST, headers={"x-sim-fault": "overloaded"})
        models = await http.get("/v1/models")
        created = await http.post("/v1/messages", json=REQUEST)
        counted = await http.post("/v1/messages/count_tokens", json={k: v for k, v in REQUEST.items() if k != "max_tokens"})
    assert overloaded.status_code == 529 and overloaded.headers["retry-after"] == "1"
    assert [m["id"] for m in models.json()["data"]] == ["sim-1", "sim-1-fast"]
    assert counted.json() == {"input_tokens": created.json()["usage"]["input_tokens"]}


async def test_it_keeps_concurrent_streams_independent():
    async def run(n: int) -> dict:
        async with _client() as http:
            response = await http.post(
                "/v1/messages", json={**REQUEST, "messages": [{"role": "user", "content": f"Question {n}"}]}
            )
            return response.json()

    answers = await asyncio.gather(*(run(n) for n in range(20)))
    assert len({a["id"] for a in answers}) == 20
    assert all(f'"Question {n}"' in a["content"][0]["text"] for n, a in enumerate(answers))
