"""A relay without an HTTP client library, for `bench_proxy.py`'s paced lane: uvicorn and
asyncio streams relaying POST /v1/messages to `$BENCH_UPSTREAM` over a connection of its
own, the response's body as its chunks arrive. Read beside `bare_relay.py` (the same with
httpx), it tells what the client library costs on the machine.

    BENCH_UPSTREAM=http://127.0.0.1:PORT python -m uvicorn raw_relay:app --app-dir bench
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

UPSTREAM = urlsplit(os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8001"))
_DROP = {b"host", b"content-length", b"connection", b"transfer-encoding"}


async def request_body(receive) -> bytes:
    """The whole request body, as uvicorn hands it over."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    body = await request_body(receive)
    reader, writer = await asyncio.open_connection(UPSTREAM.hostname, UPSTREAM.port)
    try:
        head = [f"{scope['method']} {scope['path']} HTTP/1.1".encode(), f"host: {UPSTREAM.netloc}".encode(),
                f"content-length: {len(body)}".encode(), b"connection: close"]
        head += [name + b": " + value for name, value in scope["headers"] if name.lower() not in _DROP]
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        status = int((await reader.readline()).split()[1])
        content_type, chunked = b"application/json", False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-type":
                content_type = value
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]})
        while data := await (_chunk(reader) if chunked else reader.read(65536)):
            await send({"type": "http.response.body", "body": data, "more_body": True})
    finally:
        writer.close()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _chunk(reader: asyncio.StreamReader) -> bytes:
    """The next chunk of a chunked body (b"" at its end)."""
    size = int((await reader.readline()).split(b";")[0], 16)
    data = await reader.readexactly(size) if size else b""
    await reader.readline()
    return data
