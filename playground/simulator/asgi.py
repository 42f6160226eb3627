"""The standalone simulator as a plain ASGI app (`app`), served by `manage.py simulator`.

Policy: no Django request machinery and no database; only the engine. The request body is
read up to the API's 32 MB cap plus one byte (the validator answers oversize with 413, and a
huge body is never held in full). A paced stream is sent event by event as produced; an
unpaced one (no `x-sim-delay-ms`, no stall) in writes of up to 64 KB, as a busy connection
would deliver it; a JSON answer in one write. A client disconnect cancels generation at
once: a watcher task waits for `http.disconnect` and cancels the pump, and the engine's body
iterator is always closed. `SimulatedCut` ends the response without its final chunk, so the
server drops the connection mid-body, which is what `cut_mid_stream` asks for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from playground.contract.errors import new_request_id
from playground.simulator.engine import SimResponse, SimulatedCut, error_response, handle

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

MAX_BODY = 32 * 1024 * 1024
_COALESCE = 64 * 1024


async def _read_body(receive) -> tuple[bytes, bool]:
    """(body, disconnected): at most MAX_BODY + 1 bytes are kept."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunk = message.get("body", b"")
        if size <= MAX_BODY:
            parts.append(chunk[: MAX_BODY + 1 - size])
            size += len(parts[-1])
        if not message.get("more_body", False):
            return b"".join(parts), False


async def _pump(send, response: SimResponse) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers],
        }
    )
    # A stream is sent chunk by chunk as produced (live), unless nothing paces it: then up to
    # _COALESCE bytes go out per write, as a busy TCP connection would deliver them anyway.
    # A JSON answer goes out in one write with `more_body: False`.
    live = not response.coalesce and any(
        k == "content-type" and v.startswith("text/event-stream") for k, v in response.headers
    )
    held: list[bytes] = []
    size = 0
    try:
        async for chunk in response.body:
            if live:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                continue
            if size >= _COALESCE:
                await send({"type": "http.response.body", "body": b"".join(held), "more_body": True})
                held, size = [], 0
            held.append(chunk)
            size += len(chunk)
    except SimulatedCut:
        if held:
            await send({"type": "http.response.body", "body": b"".join(held), "more_body": True})
        # Return without the final body message: the server closes the connection mid-body.
        return
    await send({"type": "http.response.body", "body": b"".join(held), "more_body": False})


async def _watch_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _answer(scope, body: bytes) -> SimResponse:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = scope.get("query_string", b"").decode("latin-1")
    try:
        return await handle(scope["method"], scope["path"], query, headers, body)
    except Exception:  # a bug must still answer in the API's shape, never a bare 500 page
        log.exception("simulator failed on %s %s", scope["method"], scope["path"])
        return error_response(500, "api_error", "Internal server error", new_request_id())


class _Gauge:
    """Requests being answered right now (tests and benchmarks read it)."""

    active = 0


inflight = _Gauge()


async def _serve(scope, body: bytes, send) -> None:
    inflight.active += 1
    try:
        response = await _answer(scope, body)
        try:
            await _pump(send, response)
        finally:
            # Always close the engine's iterator: that is what stops generation.
            await response.body.aclose()
    finally:
        inflight.active -= 1


async def _http(scope, receive, send) -> None:
    body, gone = await _read_body(receive)
    if gone:
        return
    # The answer (a non-streaming stall included) and the stream race the client's
    # disconnect: whichever ends first cancels the other.
    work = asyncio.ensure_future(_serve(scope, body, send))
    watcher = asyncio.ensure_future(_watch_disconnect(receive))
    try:
        await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        work.cancel()
        watcher.cancel()
        outcome, _ = await asyncio.gather(work, watcher, return_exceptions=True)
    if isinstance(outcome, Exception):
        log.warning("simulator response ended early: %r", outcome)


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: dict, receive: Receive, send: Send) -> None:
    """ASGI entry point: HTTP requests and the lifespan protocol."""
    if scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "lifespan":
        await _lifespan(receive, send)
