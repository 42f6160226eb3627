"""A scripted upstream for the proxy tests: a plain ASGI app whose behaviour is chosen by
the `x-test-scenario` request header (which the proxy forwards like any other header).

It records what it saw per `x-test-id` in `SEEN`, including when the client side (the
proxy) disconnected, so a test can prove the upstream request was dropped.
"""

from __future__ import annotations

import asyncio
import json
import time

from playground.contract.sse import encode_event

SEEN: dict[str, dict] = {}

START = encode_event(
    "message_start",
    {
        "type": "message_start",
        "message": {
            "id": "msg_fake", "type": "message", "role": "assistant", "model": "fake-1",
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 3, "output_tokens": 1},
        },
    },
)
BLOCK = encode_event(
    "content_block_start",
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
)
DELTA = encode_event(
    "content_block_delta",
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hé "}},
)


PATH_SCENARIOS = ("leak_key", "endless_event")


async def _read_all(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def _wait_disconnect(receive, record: dict, limit: float) -> None:
    try:
        async with asyncio.timeout(limit):
            while (await receive())["type"] != "http.disconnect":
                pass
        record["disconnected_at"] = time.monotonic()
    except TimeoutError:
        record["timed_out"] = True


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    body = await _read_all(receive)
    # The scenario comes from a header, or from the first path segment (a provider's base URL
    # can pick one where no custom header reaches the upstream: the composer's runs).
    first = scope["path"].strip("/").split("/", 1)[0]
    scenario = headers.get("x-test-scenario", first if first in PATH_SCENARIOS else "echo")
    record = SEEN.setdefault(headers.get("x-test-id", "-"), {})
    record.update(
        {"scenario": scenario, "headers": headers, "query": scope["query_string"].decode(),
         "path": scope["path"], "body": body, "received_at": time.monotonic()}
    )
    sse = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"request-id", b"req_fake")]
    if scenario == "echo":
        payload = json.dumps({"path": scope["path"], "query": record["query"], "headers": headers}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"request-id", b"req_echo"),
                    (b"anthropic-ratelimit-requests-limit", b"50"),
                    (b"anthropic-ratelimit-tokens-remaining", b"1000"),
                    (b"retry-after", b"3"),
                    (b"retry-after-ms", b"2500"),
                    (b"x-should-retry", b"true"),
                    (b"keep-alive", b"timeout=5"),
                    (b"set-cookie", b"_cfuvid=secret; path=/"),
                    (b"x-custom-upstream", b"kept"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
    elif scenario == "slow_headers":
        await _wait_disconnect(receive, record, 10)
    elif scenario == "slow_stream":
        await send({"type": "http.response.start", "status": 200, "headers": sse})
        await send({"type": "http.response.body", "body": START, "more_body": True})
        await _wait_disconnect(receive, record, 10)
    elif scenario == "not_sse":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<html>gateway says hi</html>"})
    elif scenario == "cut":
        await send({"type": "http.response.start", "status": 200, "headers": sse})
        await send({"type": "http.response.body", "body": START + BLOCK + DELTA, "more_body": True})
        await send({"type": "http.response.body", "body": b"event: content_block_delta\ndata: {\"ty", "more_body": True})
        await asyncio.sleep(0.05)
        raise RuntimeError("scripted cut: the connection drops mid-event")
    elif scenario == "clean_but_short":
        await send({"type": "http.response.start", "status": 200, "headers": sse})
        await send({"type": "http.response.body", "body": START + BLOCK + DELTA, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif scenario == "leak_key":
        # A gateway that echoes the credentials it got: in a header, in events, in an error.
        key = headers.get("x-api-key", "")
        leak = encode_event(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"key={key}"}},
        )
        end = (
            encode_event("content_block_stop", {"type": "content_block_stop", "index": 0})
            + encode_event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                             "stop_sequence": None}, "usage": {"output_tokens": 4}})
            + encode_event("message_stop", {"type": "message_stop"})
        )
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*sse, (b"x-echo-key", f"seen {key}".encode())]})
        await send({"type": "http.response.body", "body": START + BLOCK + leak + end})
    elif scenario == "endless_event":
        # An event that never ends: data bytes with no blank line, until the client leaves.
        await send({"type": "http.response.start", "status": 200, "headers": sse})
        await send({"type": "http.response.body", "body": START + b"event: content_block_delta\ndata: ",
                    "more_body": True})
        try:
            for _ in range(4000):
                await send({"type": "http.response.body", "body": b"a" * 65536, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except OSError:
            record["disconnected_at"] = time.monotonic()
