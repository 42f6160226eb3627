"""The documented no-port recipe: the SDK's own HTTP client with an ASGI transport on `app`."""

from __future__ import annotations

import anthropic
import httpx2

from playground.simulator.asgi import app


async def test_it_serves_the_async_sdk_without_a_port():
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://simulator") as http:
        sdk = anthropic.AsyncAnthropic(api_key="any", base_url="http://simulator", http_client=http, max_retries=0)
        request = {"model": "sim-1", "max_tokens": 100, "messages": [{"role": "user", "content": "Hello in-process"}]}
        created = await sdk.messages.create(**request)
        async with sdk.messages.stream(**request) as stream:
            streamed = await stream.get_final_message()
        counted = await sdk.messages.count_tokens(model="sim-1", messages=request["messages"])
    assert '"Hello in-process"' in created.content[0].text
    assert streamed.model_dump() == created.model_dump()
    assert counted.input_tokens == created.usage.input_tokens
