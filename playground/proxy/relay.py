"""Relaying a call upstream through the run path (`playground.runpath`), which records it.

Fidelity policy: the client receives what the upstream sent. Status and body pass
unchanged; an SSE stream is forwarded event by event, each event's bytes exactly as
received and sent the moment it is complete (no buffering, no gzip, with
`X-Accel-Buffering: no`): the events completed by one upstream read leave in one write.
The relay does not parse the stream to do so (`EventCutter` finds the last blank line);
the recorder gets the bytes as read and parses them off the hot path. The recording starts
once the request is on its way upstream, and the response's start is recorded once its
first bytes are out, so no client waits for the recorder. Headers pass except hop-by-hop
ones, the framing headers we recompute (content-length, content-encoding), the server's own
(date, server) and cookies. Upstream errors (4xx/5xx with their retry-after,
x-should-retry, request-id) pass through untouched, so SDK retries behave as against the
real API; the proxy itself never retries.

One exception to byte fidelity: the provider's own key. The proxy's caller holds only a
proxy key, so an upstream that echoes the provider key back (in a header, an error message
or a streamed event) must not hand it over: it is replaced with `[redacted]` wherever it
appears, as in the recording. A key cannot straddle two pieces, since a streamed piece ends
on an event boundary.

An error answer whose body is not in the API's shape (a gateway's HTML page) reaches the
client in the API's shape instead, with the same status and `retry-after` hints, so every
client can read it; the recording keeps the body as it arrived.

Failures: an upstream that cannot be reached is a 502 `api_error` (retryable), a timeout
before the answer a 504 `timeout_error`, a refused provider address a 400; a stream that
ends without `message_stop` or an `error` event (cut, silent past the idle timeout, or an
event past the size cap) gets an `error` event saying why, so the client never mistakes a
cut for a complete answer; a client that disconnects cancels this coroutine, which closes
the upstream request and records `client_cancelled`.
"""

from __future__ import annotations

import logging

from playground import runpath
from playground.contract.errors import error_body
from playground.contract.sse import encode_event
from playground.proxy import routes
from playground.proxy.call import Call
from playground.proxy.wire import response_headers, retry_hints, retryable, send_error
from playground.recording.redact import scrub_bytes, scrub_text

log = logging.getLogger("playground.proxy")

STREAM_HEADERS = [(b"x-accel-buffering", b"no"), (b"cache-control", b"no-cache")]


async def relay(call: Call, provider, send) -> None:
    try:
        rec = routes.start_recording(call, provider, source="proxy", deferred=True)
    except runpath.RecorderUnavailable as exc:
        # Refused before anything reached the upstream: an unrecorded call would break the
        # promise that every call is kept.
        why = f" ({exc.reason})" if exc.reason else ""
        await send_error(
            send, "api_error", f"The recorder is unavailable{why}, so the call was not sent.", call.request_id,
            status=503, retry=True,
        )
        return

    secrets = (provider.api_key,) if getattr(provider, "api_key", None) else ()

    def headers_for_client(upstream_headers) -> list[tuple[bytes, bytes]]:
        return [(name, scrub_bytes(value, secrets)) for name, value in response_headers(upstream_headers)]

    def error_for_client(error: dict) -> tuple[str, str]:
        return error["type"], scrub_text(error["message"], secrets)

    async def on_headers(resp, is_stream: bool) -> None:
        if is_stream:
            await send({
                "type": "http.response.start",
                "status": resp.status,
                "headers": [*headers_for_client(resp.headers), *STREAM_HEADERS],
            })

    async def on_piece(piece: bytes) -> None:
        await send({"type": "http.response.body", "body": scrub_bytes(piece, secrets), "more_body": True})

    request = runpath.Request(
        call.method, call.path, call.forward_headers(getattr(provider, "passthrough", False)), call.body,
        query=call.query, stream=call.stream,
    )
    result = await runpath.run(provider, rec, request, on_headers=on_headers, on_piece=on_piece)
    if call.started:
        # A stream: it ended by itself, or it gets an error event, never a clean close that
        # reads as complete (the SDK raises on this event).
        if result.outcome is not None:
            event = error_body(*error_for_client(result.error), call.request_id)
            await send({"type": "http.response.body", "body": encode_event("error", event), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    elif result.body is None or (call.stream and result.status == 200):
        # No answer (or one that broke off), or a 200 without an event stream to a stream request.
        await send_error(
            send, *error_for_client(result.error), call.request_id,
            status=result.http_status, retry=result.retry,
        )
    elif result.reshaped:
        # An error page from something between us and the provider (a gateway's HTML):
        # the client gets the API's error shape with the same status and retry hints.
        await send_error(
            send, *error_for_client(result.error), call.request_id,
            status=result.status, retry=retryable(result.status), extra_headers=retry_hints(result.headers),
        )
    else:
        body = scrub_bytes(result.body, secrets)
        headers = headers_for_client(result.headers)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": result.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
