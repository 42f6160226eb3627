"""Deciding what answers an authenticated call: parse the body, pick the provider,
start the recording, then relay upstream or replay from a recording.

Policy: the caller never chooses an upstream URL. The provider comes from the key's pin
or from the model id (`providers.aresolve`: ids beginning with `sim` go to the simulator);
body fields and headers that name a base URL are ignored (they are not forwarded
anywhere, and `playground.upstream` only ever talks to a configured provider).
"""

from __future__ import annotations

import asyncio
import logging

from playground.proxy import relay, replay, routes
from playground.proxy.call import Call
from playground.proxy.wire import send_error

log = logging.getLogger("playground.proxy")


async def handle(call: Call, send) -> None:
    wrapped = _tracking(call, send)
    try:
        await _handle(call, wrapped)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("proxy call %s failed", call.request_id)
        if not call.started:
            await send_error(
                wrapped, "api_error", "The proxy failed to handle this request.", call.request_id,
                retry=True,
            )


def _tracking(call: Call, send):
    async def tracked(message: dict) -> None:
        if message["type"] == "http.response.start":
            call.started = True
        await send(message)

    return tracked


async def _handle(call: Call, send) -> None:
    if call.method == "POST":
        problem = routes.parse(call)
        if problem is not None:
            status, body = problem
            await routes.record_rejected(call, status, body)
            await send_error(
                send, body["error"]["type"], body["error"]["message"], call.request_id,
                status=status,
            )
            return
    else:
        call.model = call.path_model or ""
    try:
        provider = await routes.provider_for(call)
    except routes.RouteError as exc:
        await send_error(send, exc.error_type, str(exc), call.request_id, status=exc.status)
        return
    if getattr(provider, "passthrough", False) and call.caller_key is None:
        await send_error(
            send,
            "authentication_error",
            f"Provider {provider.name} forwards your own key: send it in x-api-key and the "
            "proxy key in x-playground-key.",
            call.request_id,
        )
        return
    if call.key.mode == "replay" and call.method == "POST" and await replay.answer(call, provider, send):
        return
    await relay.relay(call, provider, send)
