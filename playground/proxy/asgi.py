"""The `/v1/*` surface as a lean ASGI app, dispatched before Django's middleware.

Order of checks for every call, cheapest first, each failing with the API's error shape:
Host (settings.ALLOWED_HOSTS) -> route and method -> declared size (413 over 32 MB) ->
proxy key (401, cached lookup) -> body read under the cap -> JSON (`parse_body`: syntax,
duplicate keys, surrogates, depth) -> model -> provider. Then the call is either relayed
upstream (relay.py) or answered from a recording (replay.py).

Client disconnects: once the body is read, a watcher waits on `receive()` for
`http.disconnect` and cancels the task the call runs in, so the upstream request is dropped
within one event loop turn, including before its first byte.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from playground.contract.errors import new_request_id
from playground.proxy import auth
from playground.proxy.call import Call
from playground.proxy.dispatch import handle
from playground.proxy.wire import BodyTooLarge, ClientGone, header, read_body, send_error

log = logging.getLogger("playground.proxy")

MODEL_PATH = re.compile(r"/v1/models/([A-Za-z0-9._:@-]{1,256})")
ROUTES = {
    "/v1/messages": ("POST", "messages"),
    "/v1/messages/count_tokens": ("POST", "count_tokens"),
    "/v1/models": ("GET", "models"),
}


def _route(path: str) -> tuple[str, str, str | None] | None:
    """(method, endpoint, model id from the path) for a known path, else None."""
    known = ROUTES.get(path)
    if known:
        return known[0], known[1], None
    match = MODEL_PATH.fullmatch(path)
    if match:
        return "GET", "model", match.group(1)
    return None


def _host_allowed(headers: list[tuple[bytes, bytes]]) -> bool:
    """Django's own Host check, as its middleware would make it."""
    raw = header(headers, b"host")
    if raw is None:
        return False
    try:
        host = raw.decode("ascii")
    except UnicodeDecodeError:
        return False
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


async def proxy_app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    received_at = time.monotonic()
    request_id = new_request_id()
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if not _host_allowed(headers):
        await send_error(send, "invalid_request_error", "Host not allowed.", request_id, status=400)
        return
    route = _route(scope["path"])
    if route is None:
        await send_error(send, "not_found_error", "Not found", request_id)
        return
    method, endpoint, path_model = route
    if scope["method"] != method:
        await send_error(
            send,
            "invalid_request_error",
            f"Method {scope['method']} is not allowed on {scope['path']}; use {method}.",
            request_id,
            status=405,
            extra_headers=[(b"allow", method.encode())],
        )
        return
    limit = settings.MAX_REQUEST_BYTES
    declared = header(headers, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        await _too_large(send, request_id)
        return
    try:
        creds = auth.credentials(headers)
        key = await auth.authenticate(creds.proxy_key)
    except auth.AuthError as exc:
        await send_error(send, "authentication_error", str(exc), request_id)
        return
    try:
        body = await read_body(receive, limit) if method == "POST" else b""
    except BodyTooLarge:
        await _too_large(send, request_id)
        return
    except ClientGone:
        return
    call = Call(
        request_id=request_id,
        key=key,
        caller_key=creds.caller_key,
        method=method,
        endpoint=endpoint,
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
        path_model=path_model,
        secrets=_secrets(creds),
        received_at=received_at,
    )
    await _run_watched(call, receive, send)


def _secrets(creds: auth.Credentials) -> tuple[str, ...]:
    out = [creds.proxy_key]
    if creds.caller_key is not None:
        value = creds.caller_key[1].decode("latin-1")
        out.append(value.split(" ", 1)[1].strip() if value.lower().startswith("bearer ") else value)
    return tuple(out)


async def _too_large(send, request_id: str) -> None:
    mb = settings.MAX_REQUEST_BYTES // (1024 * 1024)
    await send_error(
        send, "request_too_large", f"Request exceeds the maximum allowed size of {mb} MB.", request_id
    )


async def _watch_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _run_watched(call: Call, receive, send) -> None:
    # The call runs in this task; a watcher task cancels it if the client goes away first
    # (the handler records the partial exchange as client_cancelled while it unwinds).
    task = asyncio.current_task()
    done = False

    def client_left(watcher: asyncio.Task) -> None:
        if not done and not watcher.cancelled() and watcher.exception() is None:
            call.cancelled = True
            task.cancel()

    watcher = asyncio.ensure_future(_watch_disconnect(receive))
    watcher.add_done_callback(client_left)
    try:
        await handle(call, send)
    except asyncio.CancelledError:
        if not call.cancelled:
            raise  # the server is cancelling us: not ours to swallow
        task.uncancel()
    except Exception:
        log.exception("proxy call %s failed", call.request_id)
    finally:
        done = True
        watcher.cancel()
