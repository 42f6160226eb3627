"""Helpers for the sharing tests: an exchange to share, and sharing it through the page."""

from __future__ import annotations

import re

from django.test import Client

from tests.inspector.recorded import record

BODY = {
    "model": "claude-haiku-4-5",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": [{"type": "text", "text": "What is the capital of Ruritania?"}]}],
}
REPLY = {
    "id": "msg_share", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
    "content": [{"type": "text", "text": "Strelsau is the capital of Ruritania."}],
    "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 9},
}


def record_simple(user, **kwargs):
    return record(user, BODY, response=REPLY, **kwargs)


def share_link(user, kind: str, target: str, expires: str = "") -> str:
    """Shares through the page as `user` and returns the link's path (/s/pgs-…)."""
    client = Client()
    client.force_login(user)
    response = client.post("/shares/new", {"kind": kind, "target": target, "expires": expires})
    assert response.status_code == 200, response.content[:500]
    match = re.search(r'data-testid="share-url">https?://[^/]+(/s/pgs-[A-Za-z0-9_-]{43})<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match[1]
