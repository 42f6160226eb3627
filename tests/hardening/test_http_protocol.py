"""The production server protocol bounds request heads (issue 14, item 4).

Under `uvicorn --http playground.http_protocol:HttpProtocol` one unauthenticated connection
could send a header line of hundreds of MB, all buffered before any check, or keep a
connection open by trickling header bytes. Real uvicorn on loopback, raw sockets.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest
import uvicorn

from playground import http_protocol


async def echo_app(scope, receive, send):
    if scope["type"] != "http":
        return
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = json.dumps({"path": scope["path"], "received": size,
                       "headers": len(scope["headers"])}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(http_protocol, "HEADER_TIMEOUT", 1.0)
    config = uvicorn.Config(echo_app, host="127.0.0.1", port=0, log_level="critical", lifespan="off",
                            access_log=False, loop="asyncio", http="playground.http_protocol:HttpProtocol")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.01)
    yield instance.servers[0].sockets[0].getsockname()[:2]
    instance.should_exit = True
    thread.join(10)


def _connect(address) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _status_and_json(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def test_an_oversized_header_is_refused_while_it_is_still_arriving(server):
    sock = _connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
    sent = 0
    refused = None
    # Up to 64 MB: the server must answer long before, having held only about the limit.
    while sent < 64 * 1024 * 1024:
        try:
            sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += 65536
        sock.setblocking(False)
        try:
            refused = sock.recv(65536)
        except BlockingIOError:
            pass
        finally:
            sock.setblocking(True)
        if refused:
            break
    sock.settimeout(10)
    raw = (refused or b"") + _read_all(sock)
    sock.close()
    assert raw.startswith(b"HTTP/1.1 431 ")
    status, body = _status_and_json(raw)
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert b"x-should-retry: false" in raw


def test_many_headers_past_the_limit_are_refused(server):
    sock = _connect(server)
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(1000))
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    raw = _read_all(sock)
    sock.close()
    assert raw.startswith(b"HTTP/1.1 431 ")


def test_a_head_that_trickles_in_is_cut_off(server):
    sock = _connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    raw = b""
    # One header byte every 0.1 s, forever unless the server stops it.
    while time.monotonic() - started < 8:
        try:
            sock.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            break
        sock.settimeout(0.1)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        raw += chunk
    sock.settimeout(5)
    raw += _read_all(sock)
    sock.close()
    assert raw.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 5


def test_a_silent_connection_is_closed(server):
    sock = _connect(server)
    sock.settimeout(5)
    started = time.monotonic()
    assert _read_all(sock) == b""
    assert time.monotonic() - started < 4
    sock.close()


def test_ordinary_requests_with_large_bodies_and_keep_alive_still_work(server):
    sock = _connect(server)
    body = b"x" * (2 * 1024 * 1024)
    request = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    sock.sendall(request + b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    sock.settimeout(10)
    raw = _read_all(sock)
    sock.close()
    assert raw.count(b"HTTP/1.1 200 ") == 2
    assert b'"received": 2097152' in raw and b'"/b"' in raw


def test_a_nul_in_a_header_gets_the_api_error(server):
    sock = _connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n")
    raw = _read_all(sock)
    sock.close()
    status, body = _status_and_json(raw)
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
