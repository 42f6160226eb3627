"""The standalone simulator on a random loopback port, and official SDK clients for it."""

from __future__ import annotations

import socket
import threading
import time

import anthropic
import pytest
import uvicorn

from playground.simulator.asgi import app


@pytest.fixture(scope="session")
def sim_url():
    """Base URL of the simulator's ASGI app served by uvicorn in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "simulator did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def client(sim_url):
    """The official sync SDK, no retries unless a test asks for them."""
    with anthropic.Anthropic(base_url=sim_url, api_key="sk-ant-sim", max_retries=0) as sdk:
        yield sdk


@pytest.fixture
async def aclient(sim_url):
    async with anthropic.AsyncAnthropic(base_url=sim_url, api_key="sk-ant-sim", max_retries=0) as sdk:
        yield sdk


def create_and_stream(client, **request):
    """The message `create` answers, once the stream of the same request built an equal one."""
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert streamed.model_dump() == created.model_dump()
    return created


WEATHER_TOOLS = [
    {
        "name": "get_weather",
        "description": "Current weather for a city",
        "input_schema": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "minLength": 2},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city"],
        },
    },
    {
        "name": "get_time",
        "description": "Local time in a timezone",
        "input_schema": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}},
            "required": ["timezone"],
        },
    },
]
