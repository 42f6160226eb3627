"""What the client receives is what the upstream sent: the same event bytes as calling the
simulator directly, query strings and headers passed both ways, hop-by-hop ones dropped."""

from __future__ import annotations

import json

import httpx

from tests.proxy.conftest import pinned_key, recorded
from tests.proxy.fake_upstream import SEEN

REQUEST = {
    "model": "sim-1",
    "max_tokens": 2000,
    "stream": True,
    "messages": [{"role": "user", "content": "Tell me about relays, in some detail, please. 日本語 ✓"}],
}


def _stream(url: str, key: str, headers: dict | None = None) -> tuple[httpx.Response, bytes]:
    with (
        httpx.Client(timeout=10) as client,
        client.stream(
            "POST", f"{url}/v1/messages", json=REQUEST,
            headers={"x-api-key": key, "anthropic-version": "2023-06-01", **(headers or {})},
        ) as response,
    ):
        body = b"".join(response.iter_raw())
    return response, body


def test_it_relays_the_same_event_bytes_as_the_simulator_directly(proxy_url, upstream_server, alice):
    from playground.simulator.asgi import app as simulator_app

    sim_url = upstream_server(simulator_app)
    key = pinned_key("acme", "acme-standalone", sim_url, "standalone-sim")
    controls = {"x-sim-output-tokens": "400"}
    direct, direct_body = _stream(sim_url, "anything", controls)
    proxied, proxied_body = _stream(proxy_url, key, controls)
    assert direct.status_code == proxied.status_code == 200
    assert proxied_body == direct_body
    assert direct_body.count(b"event: content_block_delta") > 100
    assert proxied.headers["content-type"] == direct.headers["content-type"]
    assert proxied.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in proxied.headers and "content-length" not in proxied.headers
    assert proxied.headers["request-id"].startswith("req_")
    [ex] = recorded(1, proxy_key_name="acme-standalone")
    assert ex.provider == "standalone-sim" and ex.outcome == "completed"
    assert ex.event_count == direct_body.count(b"\n\n")


def test_it_relays_the_in_process_simulator_byte_for_byte(proxy_url, upstream_server, acme_key):
    from playground.simulator.asgi import app as simulator_app

    sim_url = upstream_server(simulator_app)
    _direct, direct_body = _stream(sim_url, "anything")
    _proxied, proxied_body = _stream(proxy_url, acme_key)
    assert proxied_body == direct_body


def test_it_passes_query_and_headers_upstream_but_never_the_proxy_key(client, fake_key):
    response = client.post(
        "/v1/messages?beta=true",
        content=json.dumps({"model": "fake-1", "max_tokens": 5, "messages": []}),
        headers={
            "x-api-key": fake_key,
            "anthropic-version": "2023-06-01",
            "anthropic-beta": "context-1m-2025-08-07",
            "x-sim-output-tokens": "7",
            "x-stainless-retry-count": "0",
            "x-test-id": "echo-1",
            "cookie": "session=abc",
            "x-base-url": "http://169.254.169.254/",
        },
    )
    assert response.status_code == 200
    seen = SEEN["echo-1"]
    assert seen["path"] == "/v1/messages" and seen["query"] == "beta=true"
    headers = seen["headers"]
    assert headers["anthropic-beta"] == "context-1m-2025-08-07"
    assert headers["anthropic-version"] == "2023-06-01"
    assert headers["x-sim-output-tokens"] == "7"
    assert headers["x-stainless-retry-count"] == "0"
    assert "x-api-key" not in headers and "authorization" not in headers and "cookie" not in headers
    assert fake_key not in json.dumps(headers)


def test_it_passes_response_headers_but_drops_hop_by_hop_and_cookies(client, fake_key):
    response = client.post(
        "/v1/messages",
        content=json.dumps({"model": "fake-1", "max_tokens": 5, "messages": []}),
        headers={"x-api-key": fake_key, "x-test-id": "echo-2"},
    )
    assert response.headers["request-id"] == "req_echo"
    assert response.headers["anthropic-ratelimit-requests-limit"] == "50"
    assert response.headers["anthropic-ratelimit-tokens-remaining"] == "1000"
    assert response.headers["retry-after"] == "3"
    assert response.headers["retry-after-ms"] == "2500"
    assert response.headers["x-should-retry"] == "true"
    assert response.headers["x-custom-upstream"] == "kept"
    assert "set-cookie" not in response.headers
    assert "timeout=5" not in response.headers.get("keep-alive", "")
    assert int(response.headers["content-length"]) == len(response.content)
