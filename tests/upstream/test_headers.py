"""What goes upstream: the provider's credentials (never the caller's), version and betas,
no hop-by-hop or proxy headers, identity encoding."""

from __future__ import annotations

import json

from playground import upstream


async def echo(capture_server, provider, headers):
    async with upstream.open(provider, "POST", "/v1/messages", query="beta=true", headers=headers,
                             body=b'{"model":"claude-x"}') as resp:
        assert resp.status == 200
        return json.loads(await resp.aread())


async def test_it_sends_the_stored_key_as_x_api_key_and_drops_the_callers(capture_server):
    provider = capture_server.provider("echo", api_key="sk-stored")
    seen = await echo(capture_server, provider, [
        ("x-api-key", "sk-caller"), ("authorization", "Bearer sk-caller"), ("cookie", "s=1"),
        ("connection", "close"), ("x-playground-key", "pk-1"), ("content-length", "999"),
    ])
    headers = seen["headers"]
    assert headers["x-api-key"] == "sk-stored"
    assert "authorization" not in headers
    assert "cookie" not in headers and "x-playground-key" not in headers
    assert headers["content-length"] == str(len(b'{"model":"claude-x"}'))
    assert headers["accept-encoding"] == "identity"
    assert headers["anthropic-version"] == "2023-06-01"
    assert headers["content-type"] == "application/json"
    assert seen["body"] == '{"model":"claude-x"}'
    assert capture_server.requests[-1].path == "/echo/v1/messages?beta=true"


async def test_a_cookie_the_upstream_sets_is_never_sent_back(capture_server):
    # One client serves every caller of a provider: a kept cookie would go out with other
    # callers' requests.
    provider = capture_server.provider("echo-cookie")
    await echo(capture_server, provider, {})
    seen = await echo(capture_server, provider, {})
    assert "cookie" not in seen["headers"]


async def test_it_sends_a_bearer_token_when_configured(capture_server):
    seen = await echo(capture_server, capture_server.provider("echo", api_key="tok", auth_style="bearer"), {})
    assert seen["headers"]["authorization"] == "Bearer tok"
    assert "x-api-key" not in seen["headers"]


async def test_it_forwards_the_callers_key_in_passthrough_and_not_the_stored_one(capture_server):
    provider = capture_server.provider("echo", api_key="sk-stored", passthrough=True)
    seen = await echo(capture_server, provider, {"x-api-key": "sk-caller"})
    assert seen["headers"]["x-api-key"] == "sk-caller"
    assert "sk-stored" not in json.dumps(seen)


async def test_it_keeps_the_callers_version_and_merges_betas(capture_server):
    provider = capture_server.provider(
        "echo", extra_headers=(("anthropic-beta", "files-api-2025-04-14"), ("x-gateway", "team-a")),
    )
    seen = await echo(capture_server, provider, {
        "anthropic-version": "2024-01-01",
        "anthropic-beta": "interleaved-thinking-2025-05-14, files-api-2025-04-14",
        "x-gateway": "spoofed",
    })
    headers = seen["headers"]
    assert headers["anthropic-version"] == "2024-01-01"
    assert headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,files-api-2025-04-14"
    assert headers["x-gateway"] == "team-a"


async def test_it_ignores_environment_proxies(capture_server, monkeypatch):
    # A proxy the operator did not name must never see a provider key.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:1")
    monkeypatch.delenv("NO_PROXY", raising=False)
    seen = await echo(capture_server, capture_server.provider("echo", api_key="k"), {})
    assert seen["headers"]["x-api-key"] == "k"


def test_it_keeps_secrets_out_of_the_config_repr():
    from playground.providers.config import ProviderConfig

    text = repr(ProviderConfig(name="p", base_url="https://x.example", api_key="sk-secret",
                               extra_headers=(("x-gateway-key", "gw-secret"),)))
    assert "sk-secret" not in text and "gw-secret" not in text
