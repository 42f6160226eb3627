"""uvicorn's HTTP/1.1 protocol with bounded request heads, answering in the API's error shape.

    uvicorn playground.asgi:application --http playground.http_protocol:HttpProtocol

Limits on the request head (request line and headers), which uvicorn itself does not bound:
an unauthenticated client could otherwise send one header line of hundreds of MB, all held
in memory before any check runs, or hold a connection open forever by sending a header
byte at a time.

* Size: at most `PLAYGROUND_MAX_HEADER_BYTES` (default 65536) bytes of head. Past that the
  connection gets a 431 and is closed; what is held meanwhile is bounded by the limit plus
  one socket read (the event loop reads up to 256 KB at a time).
* Time: the head must be complete `PLAYGROUND_HEADER_TIMEOUT` seconds (default 10) after the
  connection opens or after its first byte arrives for a later request on the same
  connection; otherwise a 408 (or, before any byte, a plain close).

A request the parser rejects (a NUL or another control byte in a header, a malformed request
line) also gets the API's JSON error instead of uvicorn's plain-text 400. Every such answer is
`{"type": "error", "error": {"type": "invalid_request_error", ...}, "request_id": ...}` with
a `request-id` header, `x-should-retry: false` (the same bytes would fail again) and
`connection: close`.
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from playground.contract.errors import error_body, new_request_id
from playground.env import env_int

MAX_HEADER_BYTES = env_int("PLAYGROUND_MAX_HEADER_BYTES", 64 * 1024, minimum=1024)
HEADER_TIMEOUT = float(env_int("PLAYGROUND_HEADER_TIMEOUT", 10, minimum=1))

# How long a refused connection keeps reading (and discarding) before it closes.
LINGER_SECONDS = 2.0

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a refused request."""


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._head_size = 0
        self._in_head = True
        self._refused = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._linger_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(HEADER_TIMEOUT, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_bytes:
            self._refuse(408, f"The request headers did not arrive within {HEADER_TIMEOUT:g} seconds.")
        else:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            self._head_bytes += len(data)
            self._arm_head_timer()
        super().data_received(data)
        # Checked after feeding: the read that completes a head may also carry body bytes.
        if self._in_head and self._head_bytes > MAX_HEADER_BYTES and not self._refused:
            self._refuse(431, f"The request line and headers exceed {MAX_HEADER_BYTES} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = 0

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        # A head that arrived whole in one read is measured here, from what the parser saw.
        if self._head_size > MAX_HEADER_BYTES:
            self._refuse(431, f"The request line and headers exceed {MAX_HEADER_BYTES} bytes.")
            raise _HeadTooLarge
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # Whatever arrives next on this connection is the next request's head.
        self._in_head = True
        self._head_bytes = 0

    def send_400_response(self, msg: str) -> None:
        if self._refused:
            return  # the parser stopped because this protocol already answered (431)
        self._refuse(400, "The request could not be parsed as HTTP/1.1 (a control byte such as NUL in a header?).")

    def _refuse(self, status: int, message: str) -> None:
        self._refused = True
        self._cancel_head_timer()
        request_id = new_request_id()
        body = json.dumps(error_body("invalid_request_error", message, request_id)).encode()
        content = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"request-id: " + request_id.encode("ascii") + b"\r\n",
                b"x-should-retry: false\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        # Closing a socket whose input is still unread makes the kernel answer with a reset,
        # which can destroy the refusal before the client reads it. So half-close instead,
        # and keep discarding what the client still sends (data_received) for a moment.
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()
