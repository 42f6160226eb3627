"""Structured logs: one access line per request with its id, JSON in production, no secrets."""

from __future__ import annotations

import json
import logging
import sys
import time

import httpx

from playground.logs import JsonFormatter, PlainFormatter, request_id

SECRETS = ["sk-ant-api03-CANARYlogs0123456789", "pgk-CANARYproxylogs0123456789", "Bearer-less-tok3n"]


def _record(message: str, *args, exc: bool = False) -> logging.LogRecord:
    if exc:
        try:
            raise ValueError(f"upstream echoed x-api-key: {SECRETS[0]}")
        except ValueError:
            info = sys.exc_info()
    else:
        info = None
    return logging.LogRecord("playground.test", logging.WARNING, __file__, 1, message, args, info)


def test_every_request_gets_one_access_line_with_its_id(app_url, caplog):
    caplog.set_level(logging.INFO, logger="playground.access")
    response = httpx.get(app_url + "/healthz?token=" + SECRETS[1])
    rid = response.headers["x-request-id"]
    # The server's thread writes the line once the response is sent, maybe after the
    # client has it.
    deadline = time.monotonic() + 10
    while True:
        lines = [r for r in caplog.records if r.name == "playground.access" and getattr(r, "request_id", None) == rid]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/healthz", 200)
    assert line.duration_ms >= 0
    formatted = JsonFormatter().format(line)
    assert SECRETS[1] not in formatted and "token=" not in formatted
    entry = json.loads(formatted)
    assert entry["request_id"] == rid and entry["status"] == 200 and entry["path"] == "/healthz"


def test_lines_logged_during_a_request_carry_its_id():
    token = request_id.set("abc123")
    try:
        entry = json.loads(JsonFormatter().format(_record("inside")))
    finally:
        request_id.reset(token)
    assert entry["request_id"] == "abc123"
    assert json.loads(JsonFormatter().format(_record("outside")))["request_id"] == "-"


def test_secrets_never_reach_a_log_line_in_either_format():
    records = [
        _record("calling with key %s and proxy key %s", SECRETS[0], SECRETS[1]),
        _record("headers %s", {"x-api-key": SECRETS[0], "authorization": "Bearer " + SECRETS[2]}),
        _record('{"api_key": "%s"}', SECRETS[2]),
        _record("upstream failed", exc=True),
    ]
    for formatter in (JsonFormatter(), PlainFormatter()):
        for record in records:
            line = formatter.format(record)
            for secret in SECRETS:
                assert secret not in line, (type(formatter).__name__, line)
            assert "[redacted]" in line
