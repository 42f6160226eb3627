"""The floor of the stack the proxy is built on, for `bench_proxy.py`'s paced lane: uvicorn
and one stock `httpx.AsyncClient` relaying POST /v1/messages to `$BENCH_UPSTREAM`, raw bytes
as they arrive. No key, no parsing, no URL guard, no recording: what any relay written with
httpx under uvicorn costs before it does anything of its own.

    BENCH_UPSTREAM=http://127.0.0.1:PORT python -m uvicorn bare_relay:app --app-dir bench
"""

from __future__ import annotations

import os

import httpx
from raw_relay import request_body

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8001")
# As many connections as the proxy allows itself, so no stream waits for the pool.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
_DROP = {b"host", b"content-length", b"connection"}
_client: httpx.AsyncClient | None = None


async def app(scope, receive, send) -> None:
    global _client
    if scope["type"] != "http":
        return
    if _client is None:
        _client = httpx.AsyncClient(base_url=UPSTREAM, timeout=None, limits=LIMITS)
    body = await request_body(receive)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"] if k.lower() not in _DROP]
    request = _client.build_request(scope["method"], scope["path"], headers=headers, content=body)
    response = await _client.send(request, stream=True)
    try:
        content_type = response.headers.get("content-type", "application/json").encode("latin-1")
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(b"content-type", content_type)]})
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        await response.aclose()
    await send({"type": "http.response.body", "body": b"", "more_body": False})
