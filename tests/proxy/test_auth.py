"""Proxy keys are checked on one code path, in either header, and fail in the API's shape."""

from __future__ import annotations

import json
import logging
import time

from tests.proxy.conftest import raw_http

BODY = b'{"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]'
# ^ deliberately not JSON (missing brace): a request that passes auth ends in a 400, so the
# auth outcome is visible without any upstream.


def _post(client, headers):
    return client.post("/v1/messages", content=BODY, headers={"content-type": "application/json", **headers})


def _auth_error(response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "authentication_error"
    assert body["request_id"] == response.headers["request-id"]
    assert response.headers["x-should-retry"] == "false"


def test_it_rejects_a_missing_key(client):
    response = _post(client, {})
    _auth_error(response)
    assert "Missing proxy key" in response.json()["error"]["message"]


def test_it_accepts_the_key_as_x_api_key_or_bearer(client, acme_key):
    for headers in ({"x-api-key": acme_key}, {"authorization": f"Bearer {acme_key}"}):
        response = _post(client, headers)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["type"] == "invalid_request_error"


def test_it_accepts_both_headers_when_they_agree(client, acme_key):
    response = _post(client, {"x-api-key": acme_key, "authorization": f"Bearer {acme_key}"})
    assert response.status_code == 400


def test_it_rejects_headers_that_disagree(client, acme_key, globex_key):
    response = _post(client, {"x-api-key": acme_key, "authorization": f"Bearer {globex_key}"})
    _auth_error(response)
    assert "different keys" in response.json()["error"]["message"]


def test_it_rejects_unknown_and_malformed_keys(client, acme_key, caplog):
    caplog.set_level(logging.DEBUG)
    forged = acme_key[:-4] + ("AAAA" if not acme_key.endswith("AAAA") else "BBBB")
    bad_keys = [forged, "pgk-" + "x" * 10_000, 'pgk-"quoted"', "sk-ant-api03-foo", "pgk- spaced"]
    for bad in bad_keys:
        response = _post(client, {"x-api-key": bad})
        _auth_error(response)
        assert bad not in response.text
    assert all(bad not in caplog.text for bad in bad_keys)


def test_it_rejects_nul_and_non_ascii_key_bytes(proxy_url, acme_key):
    host = proxy_url.removeprefix("http://")
    for value in (acme_key.encode()[:-1] + b"\xc3\xa9", b"pgk-caf\xc3\xa9", b"pgk-\x00" + b"a" * 42):
        request = (
            b"POST /v1/messages HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
            b"x-api-key: " + value + b"\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(BODY)).encode() + b"\r\nconnection: close\r\n\r\n" + BODY
        )
        status, body = raw_http(proxy_url, request)
        assert value not in body
        if b"\x00" in value:
            # HTTP forbids NUL in a field value: the server's parser refuses the request
            # before the application sees it, and answers in the API's shape.
            assert status == 400
            error = json.loads(body)
            assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
            assert error["request_id"].startswith("req_")
        else:
            assert status == 401
            assert b'"authentication_error"' in body


def test_it_stops_accepting_a_revoked_key_within_two_seconds(client, acme_key):
    from playground.proxy.keys import revoke_key
    from playground.proxy.models import ProxyKey

    assert _post(client, {"x-api-key": acme_key}).status_code == 400
    key = ProxyKey.objects.get(prefix=acme_key[:12])
    # Revoke as another process would: straight in the database, no cache invalidation here.
    ProxyKey.objects.filter(pk=key.pk).update(revoked_at=key.created)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        response = _post(client, {"x-api-key": acme_key})
        if response.status_code == 401:
            break
        time.sleep(0.1)
    _auth_error(response)
    assert "revoked" in response.json()["error"]["message"]
    revoke_key(key)  # and the named function works on an already revoked key


def test_it_never_stores_the_key(acme_key):
    from playground.proxy.models import ProxyKey

    row = ProxyKey.objects.get(prefix=acme_key[:12])
    values = [str(v) for v in ProxyKey.objects.filter(pk=row.pk).values().first().values()]
    assert acme_key not in values
    assert all(acme_key not in v for v in values)
