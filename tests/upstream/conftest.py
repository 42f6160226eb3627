"""A real HTTP/1.1 server on 127.0.0.1 (random port) serving canned capture bytes.

The first path segment picks the behaviour, so a provider's base URL selects it:
`http://127.0.0.1:<port>/sse-02/v1/messages` streams capture 02, `/cut/...` drops the
connection mid-stream, `/stall-headers/...` never answers, and so on. Every request the
server sees is kept in `server.requests` (method, path, headers, body).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import pytest

from playground import upstream
from playground.providers.config import ProviderConfig
from tests.conftest import load_capture


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CaptureServer:
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    # Set when a slow stream's client went away while the server was still writing.
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)

    def base(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}"

    def provider(self, mode: str, **kwargs) -> ProviderConfig:
        kwargs.setdefault("allow_private_network", True)
        return ProviderConfig(name=f"test-{mode}", base_url=self.base(mode), **kwargs)


CAPTURE_FILES = {
    "02": "02_stream_text_basic.json",
    "04": "04_stream_thinking_enabled_then_text.json",
    "11": "11_stream_server_tool_and_custom_tool_fragments.json",
    "17": "17_stream_web_search_citations.json",
}


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def _serve(server: CaptureServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    server.connections += 1
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            server.requests.append(Seen(method, path, headers, body))
            mode = path.strip("/").split("/", 1)[0]
            if not await _answer(server, mode, headers, body, writer):
                return
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _answer(server: CaptureServer, mode: str, headers: dict, body: bytes, writer: asyncio.StreamWriter) -> bool:
    """Write one response; False when the connection must close."""
    if mode.startswith("sse-") or mode == "cut":
        name = CAPTURE_FILES[mode[4:] if mode != "cut" else "11"]
        stream = load_capture(name)["response_sse"].encode()
        if mode == "cut":
            stream = stream[: len(stream) // 2]
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"request-id: req_011CTestCapture\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        for i in range(0, len(stream), 97):  # odd-sized pieces: boundaries land anywhere
            writer.write(_chunked(stream[i : i + 97]))
            await writer.drain()
        if mode == "cut":
            return False  # closed without the final chunk: a dropped connection
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
    if mode == "slow":
        # One event every 20 ms for up to 10 s, until the client hangs up.
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        ping = b'event: ping\ndata: {"type": "ping"}\n\n'
        try:
            for _ in range(500):
                writer.write(_chunked(ping))
                await writer.drain()
                await asyncio.sleep(0.02)
        except ConnectionError:
            server.hung_up.set()
        return False
    if mode == "endless-event":
        # An event that never ends: data bytes with no line break, until the client leaves.
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        writer.write(_chunked(b"event: content_block_delta\ndata: "))
        try:
            for _ in range(2000):
                writer.write(_chunked(b"a" * 4096))
                await writer.drain()
                await asyncio.sleep(0.001)
        except ConnectionError:
            server.hung_up.set()
        return False
    if mode in ("echo", "echo-cookie"):
        payload = json.dumps({"headers": headers, "body": body.decode()}).encode()
        cookie = b"set-cookie: session=upstream-set; Path=/\r\n" if mode == "echo-cookie" else b""
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" + cookie
                     + f"content-length: {len(payload)}\r\n\r\n".encode() + payload)
        await writer.drain()
        return True
    if mode == "stall-headers":
        await asyncio.sleep(30)
        return False
    if mode == "stall-body":
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        first = load_capture(CAPTURE_FILES["02"])["response_sse"].encode().split(b"\n\n")[0] + b"\n\n"
        writer.write(_chunked(first))
        await writer.drain()
        await asyncio.sleep(30)
        return False
    if mode == "redirect":
        writer.write(b"HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:1/elsewhere\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        return True
    if mode == "overloaded":
        payload = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CBusy"}'
        writer.write(b"HTTP/1.1 529 Overloaded\r\ncontent-type: application/json\r\nrequest-id: req_011CBusy\r\n"
                     + f"content-length: {len(payload)}\r\n\r\n".encode() + payload)
        await writer.drain()
        return True
    if mode == "html502":
        payload = b"<html><body>Bad gateway</body></html>"
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\n"
                     + f"content-length: {len(payload)}\r\n\r\n".encode() + payload)
        await writer.drain()
        return True
    writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
    await writer.drain()
    return True


@pytest.fixture
async def capture_server():
    server = CaptureServer()
    tasks: set[asyncio.Task] = set()

    async def handle(reader, writer):
        task = asyncio.current_task()
        tasks.add(task)
        try:
            await _serve(server, reader, writer)
        finally:
            tasks.discard(task)

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    server.port = srv.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        await upstream.aclose()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        srv.close()
        await srv.wait_closed()
