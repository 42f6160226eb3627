"""A key never reaches the database: headers by name, and known key values anywhere."""

from __future__ import annotations

import json

from django.db import connection

from playground.recording.events import iter_events
from playground.recording.models import Exchange
from playground.recording.redact import REDACTED, redact_headers
from tests.recording.helpers import record, team_of

CANARY = "sk-ant-api03-CANARY-b4d9f1e2a7c3"
PROXY_KEY = "pk-live-CANARY-77aa31"


def _database_contains(needle: str) -> list[str]:
    """Every table, every column, as text and bytes: where does `needle` appear?"""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        if needle.encode() in bytes(value):
                            hits.append(table)
                    elif needle in str(value):
                        hits.append(table)
    return hits


def test_it_never_stores_a_key(alice):
    body = {
        "model": "claude-haiku-4-5",
        "max_tokens": 64,
        # A user pasting the key into a prompt: the value is scrubbed, max_tokens untouched.
        "messages": [{"role": "user", "content": f"my key is {CANARY}, keep it"}],
    }
    error = {
        "type": "error",
        "error": {"type": "authentication_error", "message": f"invalid x-api-key {CANARY}"},
    }
    rec = record(
        body,
        response=error,
        status=401,
        headers={
            "X-Api-Key": CANARY,
            "Authorization": f"Bearer {PROXY_KEY}",
            "Cookie": "sessionid=abc123456789",
            "x-forwarded-key": f"prefix-{CANARY}",
            "anthropic-version": "2023-06-01",
        },
        response_headers=[("set-cookie", "s=1; HttpOnly"), ("anthropic-organization-id", "org-1")],
        team=team_of(alice),
        secrets=(CANARY, PROXY_KEY),
        error={"type": "api_error", "message": f"upstream said {CANARY}"},
    )
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert _database_contains(CANARY) == []
    assert _database_contains(PROXY_KEY) == []
    assert _database_contains("sessionid=abc") == []
    headers = dict(exchange.request_headers)
    assert headers["X-Api-Key"] == REDACTED
    assert headers["Authorization"] == REDACTED
    assert headers["x-forwarded-key"] == REDACTED
    assert headers["anthropic-version"] == "2023-06-01"
    assert dict(exchange.response_headers)["set-cookie"] == REDACTED
    assert exchange.request_body["max_tokens"] == 64
    assert exchange.request_body["messages"][0]["content"] == f"my key is {REDACTED}, keep it"
    assert exchange.error_message == f"upstream said {REDACTED}"


def test_it_redacts_by_exact_header_name_only():
    headers = [("x-api-key-id", "kid_1"), ("X-API-KEY", "abc"), ("max-tokens-hint", "5")]
    assert redact_headers(headers) == [
        ["x-api-key-id", "kid_1"],
        ["X-API-KEY", REDACTED],
        ["max-tokens-hint", "5"],
    ]


def test_it_scrubs_keys_echoed_in_stream_events(alice):
    sse = (
        b'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"'
        + CANARY.encode()
        + b'"}}\n\n'
    )
    rec = record({"model": "m", "max_tokens": 1, "messages": [], "stream": True}, sse=sse,
                 team=team_of(alice), secrets=(CANARY,))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.outcome == "error_mid_stream"
    assert _database_contains(CANARY) == []
    assert json.loads(_only_event(exchange).raw.split("data: ", 1)[1])["error"]["message"] == REDACTED


def _only_event(exchange):
    (event,) = list(iter_events(exchange))
    return event
