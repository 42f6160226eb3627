"""`GET /healthz`: is this server process able to do its job? For load balancers.

Served by asgi.py before Django's middleware, so a probe needs no session, no allowed Host
name and no HTTPS redirect. It answers 200 `{"status": "ok", "checks": {...}}` when all
three checks pass and 503 with the failing ones named otherwise:

* database: a `SELECT 1` on the default connection;
* channel layer: a message sent to a fresh channel and received back (Redis when
  REDIS_URL is set), within `TIMEOUT` seconds;
* recorder: the recording queue of this process is accepting work (not full because the
  database is down or the writer far behind).

Nothing else is said: no versions, counters, hosts or errors' text (the endpoint is public).
"""

from __future__ import annotations

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connections

from playground.recording import writer

log = logging.getLogger(__name__)

TIMEOUT = 3.0


def _database() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.warning("health: database check failed", exc_info=True)
        return False
    finally:
        # A probe every few seconds must not hold a connection of its own thread open.
        connections["default"].close_if_unusable_or_obsolete()


async def _channel_layer() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async with asyncio.timeout(TIMEOUT):
            channel = await layer.new_channel("healthz.")
            await layer.send(channel, {"type": "healthz.ping"})
            return (await layer.receive(channel)).get("type") == "healthz.ping"
    except Exception:
        log.warning("health: channel layer check failed", exc_info=True)
        return False


async def checks() -> dict[str, bool]:
    try:
        async with asyncio.timeout(TIMEOUT):
            database = await sync_to_async(_database, thread_sensitive=False)()
    except TimeoutError:
        database = False
    return {
        "database": database,
        "channel_layer": await _channel_layer(),
        "recorder": not writer.saturated(),
    }


async def health_app(scope, receive, send) -> None:
    """The ASGI app behind `/healthz` (GET and HEAD)."""
    if scope["method"] not in ("GET", "HEAD"):
        status, payload = 405, {"status": "error", "error": "use GET"}
    else:
        results = await checks()
        ok = all(results.values())
        status = 200 if ok else 503
        payload = {"status": "ok" if ok else "unavailable",
                   "checks": {name: "ok" if passed else "failing" for name, passed in results.items()}}
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
