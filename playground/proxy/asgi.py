"""The /v1/* surface as a plain ASGI app (placeholder until the proxy lands)."""

import json


async def proxy_app(scope, receive, send):
    body = json.dumps(
        {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
