"""Bad input gets a clear 4xx in the API's error shape, never a 500, never the key echoed."""

from __future__ import annotations

import asyncio

from tests.proxy.conftest import raw_http

VALID = b'{"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}'


def _api_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type
    assert body["request_id"] == response.headers["request-id"]
    return body


def test_it_refuses_a_host_not_allowed(client, acme_key):
    response = client.post(
        "/v1/messages", content=VALID, headers={"x-api-key": acme_key, "host": "evil.example"}
    )
    body = _api_error(response, 400, "invalid_request_error")
    assert "Host" in body["error"]["message"]


def test_it_answers_unknown_paths_with_json(client, proxy_url, acme_key):
    for path in ("/v1/messages/", "/v1/messages/..%2fadmin", "/v1/complete", "/v1"):
        _api_error(client.post(path, content=VALID, headers={"x-api-key": acme_key}), 404, "not_found_error")
    # Sent raw: an HTTP client library would read `//v1` as a host name.
    host = proxy_url.removeprefix("http://")
    request = (
        f"POST //v1/messages HTTP/1.1\r\nHost: {host}\r\nx-api-key: {acme_key}\r\n"
        f"content-length: {len(VALID)}\r\nconnection: close\r\n\r\n"
    ).encode() + VALID
    status, body = raw_http(proxy_url, request)
    assert status == 404
    assert b'"not_found_error"' in body


def test_it_refuses_the_wrong_method(client, acme_key):
    response = client.get("/v1/messages", headers={"x-api-key": acme_key})
    _api_error(response, 405, "invalid_request_error")
    assert response.headers["allow"] == "POST"


def test_it_refuses_a_body_that_is_not_json(client, acme_key):
    for raw in (b"", b"not json", b'{"model": "sim-1",', b"[1, 2]", b'{"max_tokens": 5}'):
        response = client.post("/v1/messages", content=raw, headers={"x-api-key": acme_key})
        _api_error(response, 400, "invalid_request_error")
        assert response.headers["x-should-retry"] == "false"


def test_it_refuses_duplicate_keys_and_lone_surrogates(client, acme_key):
    dup = b'{"model": "sim-1", "model": "sim-1", "max_tokens": 5, "messages": []}'
    surrogate = b'{"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "\\ud800"}]}'
    for raw in (dup, surrogate, b"[" * 100_000):
        response = client.post("/v1/messages", content=raw, headers={"x-api-key": acme_key})
        _api_error(response, 400, "invalid_request_error")


def test_it_refuses_a_declared_body_over_32_mb_before_reading_it(proxy_url, acme_key):
    host = proxy_url.removeprefix("http://")
    request = (
        f"POST /v1/messages HTTP/1.1\r\nHost: {host}\r\nx-api-key: {acme_key}\r\n"
        f"content-type: application/json\r\ncontent-length: {33 * 1024 * 1024}\r\n"
        "connection: close\r\n\r\n"
    ).encode() + b"{"
    status, body = raw_http(proxy_url, request)
    assert status == 413
    assert b'"request_too_large"' in body


def test_it_refuses_a_streamed_body_over_32_mb(client, acme_key):
    chunk = b" " * (1024 * 1024)

    def chunks():
        yield b'{"model": "sim-1", "pad": "'
        for _ in range(33):
            yield chunk

    response = client.post("/v1/messages", content=chunks(), headers={"x-api-key": acme_key})
    _api_error(response, 413, "request_too_large")


def test_it_records_a_rejected_body_without_the_key(client, acme_key):
    from playground import recording
    from playground.recording.models import Exchange

    response = client.post("/v1/messages", content=b"{oops", headers={"x-api-key": acme_key})
    _api_error(response, 400, "invalid_request_error")
    recording.flush_sync()
    asyncio.run(recording.flush())
    ex = Exchange.objects.get()
    assert (ex.source, ex.outcome, ex.proxy_key_name, ex.status) == ("proxy", "rejected", "acme-ci", 400)
    assert ex.team.name == "acme"
    assert bytes(ex.request_bytes) == b"{oops"
    assert acme_key not in str(ex.request_headers)
    assert acme_key not in str(Exchange.objects.values().first())
