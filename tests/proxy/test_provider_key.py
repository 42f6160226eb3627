"""The key of the provider a call used is scrubbed from everything recorded about the call,
on every path: the proxy (its replay mode records through the same function) and the
composer's runs (the run socket, tool loops, compare and the inspector's replay all go
through `run_request`)."""

from __future__ import annotations

import httpx
import pytest
from asgiref.sync import sync_to_async

from playground.composer.runs import run_request
from playground.recording.events import raw_stream
from playground.recording.models import Exchange
from tests.proxy import fake_upstream
from tests.proxy.conftest import recorded

PROVIDER_KEY = "sk-ant-provider-secret-0123456789"
BODY = {"model": "fake-1", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}


def everything(exchange: Exchange) -> str:
    """Every stored value of the exchange and its stream, as text."""
    row = Exchange.objects.filter(pk=exchange.pk).values().first()
    return repr(row) + raw_stream(exchange).decode("latin-1")


def keyed_provider(base_url: str, name: str = "keyed") -> None:
    from playground.providers.ops import save_provider

    save_provider(name, base_url=base_url, model_patterns=["fake-*"], auth_style="x-api-key",
                  api_key=PROVIDER_KEY, allow_private_network=True)


@pytest.fixture
def leaky(upstream_server, proxy_url, alice) -> str:
    """A proxy key pinned to a provider whose upstream echoes the key it is sent."""
    from playground.proxy.keys import create_key
    from playground.teams.ops import ensure_team

    keyed_provider(upstream_server(fake_upstream.app) + "/leak_key")
    _key, raw = create_key(ensure_team("acme"), "acme-leaky", provider="keyed")
    return raw


def test_the_proxy_scrubs_the_provider_key_from_its_answer_and_recording(proxy_url, leaky):
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{proxy_url}/v1/messages", json=BODY, headers={"x-api-key": leaky})
    assert response.status_code == 200
    # The caller holds only a proxy key: the echoed provider key is cut from what it gets.
    assert PROVIDER_KEY not in response.text and "key=[redacted]" in response.text
    [exchange] = recorded(1, proxy_key_name="acme-leaky")
    assert exchange.outcome == "completed"
    stored = everything(exchange)
    assert PROVIDER_KEY not in stored, stored[max(stored.find(PROVIDER_KEY) - 300, 0):stored.find(PROVIDER_KEY) + 50]
    assert "key=[redacted]" in stored


@pytest.mark.django_db(transaction=True)
async def test_a_composer_run_scrubs_the_provider_key_from_its_answer_and_recording(upstream_server, alice):
    from playground import recording
    from playground.teams.ops import ensure_team

    await sync_to_async(keyed_provider)(upstream_server(fake_upstream.app) + "/leak_key")
    team = await sync_to_async(ensure_team)("acme")
    result = await run_request(BODY, provider="keyed", headers={}, team_id=team.id, user_id=alice.pk)
    assert result.outcome == "completed"
    # The answer reaches the page too, so the key is cut from it as from the recording.
    assert result.message["content"][0]["text"] == "key=[redacted]"
    await recording.flush()
    exchange = await sync_to_async(Exchange.objects.get)(public_id=result.public_id)
    stored = await sync_to_async(everything)(exchange)
    assert PROVIDER_KEY not in stored, stored[max(stored.find(PROVIDER_KEY) - 300, 0):stored.find(PROVIDER_KEY) + 50]
    assert "key=[redacted]" in stored
