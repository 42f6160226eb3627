"""Relaying a call upstream and recording it, event by event.

Fidelity policy: the client receives what the upstream sent. Status and body pass
unchanged; an SSE stream is forwarded event by event, each event's bytes exactly as
received and sent the moment it is complete (no buffering, no gzip, with
`X-Accel-Buffering: no`): the events completed by one upstream read leave in one write.
The relay does not parse the stream to do so (`EventCutter` finds the last blank line);
the recorder gets the bytes as read and parses them off the hot path. The recording starts
once the request is on its way upstream (`on_sent`), and the response's start is recorded
once its first bytes are out, so no client waits for the recorder. Headers pass except
hop-by-hop ones, the framing headers we recompute (content-length, content-encoding), the
server's own (date, server) and cookies. Upstream errors (4xx/5xx with their retry-after, x-should-retry, request-id)
pass through untouched, so SDK retries behave as against the real API; the proxy itself
never retries.

Failures: an upstream that cannot be reached is a 502 `api_error` (retryable); a stream
that ends without `message_stop` or an `error` event gets an `api_error` error event, so
the client never mistakes a cut for a complete answer; a client that disconnects cancels
this coroutine, which closes the upstream request and records `client_cancelled`.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from playground import upstream
from playground.contract.errors import error_body
from playground.contract.sse import EventCutter, encode_event
from playground.providers import URLRefused
from playground.proxy import routes
from playground.proxy.call import Call
from playground.proxy.wire import response_headers, send_error

log = logging.getLogger("playground.proxy")

STREAM_HEADERS = [(b"x-accel-buffering", b"no"), (b"cache-control", b"no-cache")]
# The `event:` lines that end a stream, spelled as the SSE rules allow. Forwarded pieces
# always start at an event boundary and a data line cannot hold a raw line break, so a
# match at a line start is a field line, never text inside a data value.
_END_FIELDS = (b"event: message_stop", b"event:message_stop", b"event: error", b"event:error")
_LINE_BREAKS = (b"\n", b"\r")


def _has_end_event(piece: bytes) -> bool:
    """Whether `piece` (whole events) holds a `message_stop` or `error` event."""
    for field in _END_FIELDS:
        at = piece.find(field)  # memchr speed; the usual answer is -1 for all four
        while at >= 0:
            after = at + len(field)
            if (at == 0 or piece[at - 1 : at] in _LINE_BREAKS) and piece[after : after + 1] in _LINE_BREAKS:
                return True
            at = piece.find(field, at + 1)
    return False


def _content_type(headers) -> str:
    for name, value in headers:
        n = name.lower() if isinstance(name, str) else name.decode("latin-1").lower()
        if n == "content-type":
            return value if isinstance(value, str) else value.decode("latin-1")
    return ""


async def relay(call: Call, provider, send) -> None:
    try:
        rec = routes.start_recording(call, provider, source="proxy", deferred=True)
        async with upstream.open(
            provider,
            call.method,
            call.path,
            query=call.query,
            headers=call.forward_headers(getattr(provider, "passthrough", False)),
            body=call.body,
            on_sent=rec.start,
        ) as resp:
            arrived = time.monotonic()
            is_sse = resp.status == 200 and "text/event-stream" in _content_type(resp.headers)
            if is_sse:
                await _relay_stream(call, resp, rec, send, arrived)
            else:
                rec.response_started(resp.status, resp.headers, arrived)
                await _relay_body(call, resp, rec, send)
    except routes.RecorderUnavailable as exc:
        # Refused before anything reached the upstream, or abandoned right after sending.
        await send_error(send, exc.error_type, str(exc), call.request_id, status=exc.status, retry=True)
    except asyncio.CancelledError:
        rec.finish(outcome="client_cancelled")
        raise
    except (httpx.TimeoutException, TimeoutError) as exc:
        _fail(rec, "timeout", exc)
        if not call.started:
            await send_error(
                send, "timeout_error", "The upstream did not answer in time.", call.request_id,
                retry=True,
            )
    except (httpx.HTTPError, OSError) as exc:
        _fail(rec, "upstream_error", exc)
        if not call.started:
            await send_error(
                send, "api_error", "The upstream could not be reached.", call.request_id,
                status=502, retry=True,
            )
    except URLRefused as exc:
        # The URL guard refused the provider's address: nothing left the server, and a
        # retry cannot help until an operator fixes the provider.
        message = f"Provider {getattr(provider, 'name', '?')} cannot be reached: {exc}"
        rec.finish(outcome="rejected", error={"type": "invalid_request_error", "message": message})
        if not call.started:
            await send_error(send, "invalid_request_error", message, call.request_id, status=400)


def _fail(rec, outcome: str, exc: BaseException) -> None:
    # Never the exception text itself: client messages can carry URLs with credentials.
    rec.finish(
        outcome=outcome,
        error={"type": "api_error", "message": f"upstream failure: {type(exc).__name__}"},
    )


async def _relay_stream(call: Call, resp, rec, send, arrived: float) -> None:
    ended = False
    timed_out = False
    cutter = EventCutter()
    started = False  # the response's start is recorded once the first bytes are out
    try:
        await send(
            {
                "type": "http.response.start",
                "status": resp.status,
                "headers": [*response_headers(resp.headers), *STREAM_HEADERS],
            }
        )
        async for chunk in resp.aiter_raw():
            t = time.monotonic()
            piece = cutter.feed(chunk)
            try:
                if piece:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
                    ended = ended or _has_end_event(piece)
            finally:
                if not started:
                    started = True
                    rec.response_started(resp.status, resp.headers, arrived)
                # Recorded as read, whole events or not (a cut one included); parsing is
                # the recorder's job, in its own process.
                rec.chunk(chunk, t)
        if resp.transport_error is None:
            # A clean end: a trailing comment-only run may remain; relay it as received.
            # An unfinished event is not relayed: the client would glue it to the error
            # event that follows.
            rest = cutter.finish()
            if rest:
                await send({"type": "http.response.body", "body": rest, "more_body": True})
    except TimeoutError:
        timed_out = True
    except (httpx.HTTPError, OSError):
        pass  # the upstream cut the connection: the client gets an error event below
    finally:
        if not started:  # no bytes came (or the client left first)
            rec.response_started(resp.status, resp.headers, arrived)
    if not ended:
        # Never a clean close that reads as complete: the SDK raises on this event.
        error_type = "timeout_error" if timed_out else "api_error"
        message = (
            "The upstream went silent mid-stream."
            if timed_out
            else "The upstream connection closed before the stream finished."
        )
        await send(
            {
                "type": "http.response.body",
                "body": encode_event("error", error_body(error_type, message, call.request_id)),
                "more_body": True,
            }
        )
        rec.finish(
            outcome="timeout" if timed_out else "incomplete",
            error={"type": error_type, "message": message},
        )
    else:
        rec.finish()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _relay_body(call: Call, resp, rec, send) -> None:
    body = await resp.aread()
    if (
        call.stream
        and resp.status == 200
        and "text/event-stream" not in _content_type(resp.headers)
    ):
        # A 200 that is not a stream, to a streaming request: a gateway page or a broken
        # upstream. The raw answer is recorded; the client gets a clear, retryable error.
        rec.body(body)
        rec.finish(
            outcome="upstream_error",
            error={"type": "api_error", "message": "upstream answered a stream request without SSE"},
        )
        await send_error(
            send, "api_error", "The upstream answered without an event stream.", call.request_id,
            status=502, retry=True,
        )
        return
    rec.body(body)
    headers = response_headers(resp.headers)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": resp.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    rec.finish()
