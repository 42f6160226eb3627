"""ASGI plumbing for the proxy: reading the body under a cap, answering JSON and errors.

Every error the proxy itself produces goes through `send_error`, so it has the API's
shape (`contract.errors.error_body`), a `request-id`, and `x-should-retry: false` when a
retry cannot help (bad key, bad body, unknown model): the SDK then fails at once instead
of retrying twice.
"""

from __future__ import annotations

import json

from playground.contract.errors import error_body, status_for

JSON = b"application/json"

# Hop-by-hop headers (RFC 9110 §7.6.1) and the framing headers we recompute.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
REFRAMED = frozenset({b"content-length", b"content-encoding"})
# The ASGI server writes its own; a second copy would confuse clients.
SERVER_OWNED = frozenset({b"date", b"server"})
DROP_RESPONSE = HOP_BY_HOP | REFRAMED | SERVER_OWNED | {b"set-cookie"}


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


async def read_body(receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def send_json(
    send, status: int, payload: dict | bytes, headers: list[tuple[bytes, bytes]] = ()
) -> None:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", JSON),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_error(
    send,
    error_type: str,
    message: str,
    request_id: str,
    *,
    status: int | None = None,
    retry: bool = False,
    extra_headers: list[tuple[bytes, bytes]] = (),
) -> None:
    headers = [
        (b"request-id", request_id.encode()),
        (b"x-should-retry", b"true" if retry else b"false"),
        *extra_headers,
    ]
    await send_json(
        send, status or status_for(error_type), error_body(error_type, message, request_id), headers
    )


def response_headers(upstream_headers: list[tuple[str, str]] | list[tuple[bytes, bytes]]) -> list:
    """Upstream response headers as the client should get them (hop-by-hop etc. dropped)."""
    out = []
    for name, value in upstream_headers:
        n = name.lower().encode("latin-1") if isinstance(name, str) else name.lower()
        if n in DROP_RESPONSE:
            continue
        out.append((n, value.encode("latin-1") if isinstance(value, str) else value))
    return out


RETRY_HINTS = ("retry-after", "retry-after-ms")


def retry_hints(upstream_headers: list[tuple[str, str]] | None) -> list[tuple[bytes, bytes]]:
    """The upstream's retry-after headers, to pass on with an error the proxy words itself."""
    return [(n.lower().encode("latin-1"), v.encode("latin-1"))
            for n, v in upstream_headers or () if n.lower() in RETRY_HINTS]


def retryable(status: int) -> bool:
    """Whether the SDKs retry this status by default (408, 409, 429, 5xx)."""
    return status in (408, 409, 429) or status >= 500


def header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for k, v in headers:
        if k == name:
            return v
    return None
