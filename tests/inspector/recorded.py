"""Recording exchanges for the inspector tests, through the real capture API.

Sync tests have no running event loop, so the capture API writes each operation at once;
the rows below are exactly what the proxy or the composer would leave behind.
"""

from __future__ import annotations

import json
import time

from playground import recording
from playground.contract.sse import SSEParser
from playground.recording.models import Exchange
from playground.teams.ops import ensure_team
from tests.conftest import load_capture


def team_of(user):
    return user.memberships.select_related("team").first().team


def record(
    user,
    body: object,
    *,
    status: int = 200,
    response_headers: dict | None = None,
    sse: bytes | None = None,
    response: object = None,
    source: str = "proxy",
    request_headers: dict | None = None,
    proxy_key_name: str = "",
    outcome: str | None = None,
    spacing: float = 0.0,
) -> Exchange:
    """Record one exchange for `user`'s team and return its row."""
    team = team_of(user) if user is not None else ensure_team("acme")
    raw_body = body if isinstance(body, bytes) else json.dumps(body).encode()
    rec = recording.start_exchange(
        source=source,
        method="POST",
        path="/v1/messages",
        request_headers=request_headers or {"content-type": "application/json", "anthropic-version": "2023-06-01"},
        request_body=raw_body,
        provider="simulator",
        team_id=team.pk,
        user_id=user.pk if user is not None else None,
        proxy_key_name=proxy_key_name,
    )
    rec.response_started(status, response_headers or {"content-type": "application/json"})
    if sse is not None:
        parser = SSEParser()
        t = time.monotonic()
        events = parser.feed(sse) + parser.close()
        for ev in events:
            t += spacing
            rec.event(ev.raw, t, ev)
    elif response is not None:
        rec.body(response if isinstance(response, bytes) else json.dumps(response).encode())
    rec.finish(outcome=outcome)
    recording.flush_sync()
    return Exchange.objects.get(public_id=rec.public_id)


def record_capture(user, name: str, **kwargs) -> Exchange:
    cap = load_capture(name)
    sse = cap.get("response_sse")
    return record(
        user,
        cap.get("request") or {},
        status=cap.get("response_status") or 200,
        response_headers=cap.get("response_headers"),
        sse=sse.encode() if sse else None,
        response=cap.get("response_body"),
        request_headers=cap.get("request_headers"),
        **kwargs,
    )
