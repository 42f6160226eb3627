"""Recording a capture the way the proxy does: raw bytes in, real SSE parser, real recorder."""

from __future__ import annotations

import json
import time

from playground import recording
from playground.contract.sse import SSEParser
from tests.conftest import load_capture


def sse_events(raw: bytes, chunk: int = 0) -> list:
    parser = SSEParser()
    events = []
    if chunk:
        for i in range(0, len(raw), chunk):
            events += parser.feed(raw[i : i + chunk])
    else:
        events += parser.feed(raw)
    return events + parser.close()


def record(
    body: dict | bytes,
    *,
    sse: bytes | None = None,
    response: dict | None = None,
    status: int = 200,
    headers: dict | list | None = None,
    response_headers: dict | list | None = None,
    team=None,
    user=None,
    source: str = "proxy",
    path: str = "/v1/messages",
    outcome: str | None = None,
    error: object = None,
    secrets: tuple = (),
    thread_hint: str = "",
):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    rec = recording.start_exchange(
        source=source,
        method="POST",
        path=path,
        request_headers=headers or {"content-type": "application/json"},
        request_body=raw,
        provider="anthropic",
        team_id=team.id if team else None,
        user_id=user.id if user else None,
        proxy_key_name="ci",
        thread_hint=thread_hint,
        secrets=secrets,
    )
    if status is not None:
        rec.response_started(status, response_headers or {"request-id": "req_test"})
    if sse is not None:
        for ev in sse_events(sse):
            rec.event(ev.raw, time.monotonic(), ev)
    if response is not None:
        rec.body(json.dumps(response).encode())
    rec.finish(outcome=outcome, error=error)
    return rec


def record_capture(name: str, team=None, **kwargs):
    cap = load_capture(name)
    sse = cap["response_sse"].encode() if cap.get("response_sse") else None
    return record(
        cap["request"] or {},
        sse=sse,
        response=cap.get("response_body") if sse is None else None,
        status=cap.get("response_status", 200),
        headers=cap.get("request_headers"),
        response_headers=list((cap.get("response_headers") or {}).items()),
        team=team,
        path="/v1/messages/count_tokens" if "count_tokens" in cap.get("request_url", "") else "/v1/messages",
        **kwargs,
    )


def team_of(user):
    return user.memberships.get().team
