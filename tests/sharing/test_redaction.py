"""What a share shows: bodies exactly as recorded; never the provider's name, base URL or
host, a credential in any header, or the proxy key's name, on any tab."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from playground import recording
from playground.contract.events import message_to_sse
from playground.contract.sse import SSEParser
from playground.providers.models import Provider
from playground.recording.models import Exchange
from tests.sharing.support import BODY, REPLY, share_link

pytestmark = pytest.mark.django_db

KEY = "sk-zeta-UNIQUE-7f3a9c1e5b2d4f60a8e1"
PROVIDER = "zeta-gateway-7"
BASE_URL = "https://llm-gw.internal-zeta.example:8443"
HOST = "llm-gw.internal-zeta.example"
PROXY_KEY_NAME = "zeta-ci-runner-key"
NEVER = (KEY, PROVIDER, BASE_URL, HOST, PROXY_KEY_NAME)
TABS = ("conversation", "request", "response", "timeline", "headers", "findings", "cache", "nonsense")


def _record_through_the_gateway(alice, *, sse: bool) -> Exchange:
    Provider.objects.create(name=PROVIDER, base_url=BASE_URL)
    team = alice.memberships.get().team
    body = {**BODY, "stream": sse, "messages": [{"role": "user", "content": "<b>markup</b> & \"quotes\" ünïcode"}]}
    rec = recording.start_exchange(
        source="proxy", request_body=json.dumps(body).encode(), provider=PROVIDER,
        team_id=team.pk, user_id=alice.pk, proxy_key_name=PROXY_KEY_NAME, secrets=[KEY],
        request_headers={
            "content-type": "application/json", "anthropic-version": "2023-06-01",
            "x-api-key": KEY, "authorization": f"Bearer {KEY}", "x-gateway-auth": f"token={KEY}",
            "x-gateway-route": PROVIDER, "host": HOST,
        },
    )
    rec.response_started(200, {
        "content-type": "text/event-stream" if sse else "application/json", "request-id": "req_share_1",
        "x-served-by": PROVIDER, "via": f"1.1 {HOST}", "set-cookie": f"gw={KEY}",
        "anthropic-organization-id": "org-secret",
    })
    if sse:
        parser = SSEParser()
        for i, event in enumerate(parser.feed(message_to_sse(REPLY)) + parser.close()):
            rec.event(event.raw, float(i), event)
    else:
        rec.body(json.dumps(REPLY).encode())
    rec.finish(outcome="upstream_error", error={
        "type": "api_error", "message": f"Provider {PROVIDER} cannot be reached: {HOST} did not resolve ({BASE_URL})"})
    recording.flush_sync()
    return Exchange.objects.get(public_id=rec.public_id)


@pytest.mark.parametrize("sse", [False, True])
def test_no_tab_of_a_share_shows_the_provider_a_credential_or_the_key_name(alice, anonymous, sse):
    exchange = _record_through_the_gateway(alice, sse=sse)
    # The team's own page does show the provider and the key name (so the test can fail).
    owner = Client()
    owner.force_login(alice)
    assert PROVIDER in owner.get(exchange.get_absolute_url()).content.decode()
    assert PROXY_KEY_NAME in owner.get(exchange.get_absolute_url()).content.decode()

    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    seen = ""
    for tab in TABS:
        response = client.get(f"{path}?tab={tab}")
        assert response.status_code == 200
        seen += response.content.decode()
        partial = client.get(f"{path}?tab={tab}", HTTP_HX_REQUEST="true")
        seen += partial.content.decode()
    seen += client.get(f"{path}?tab=timeline&part=gaps").content.decode()
    seen += client.get(f"{path}?tab=timeline&event=2").content.decode()
    for secret in NEVER:
        assert secret not in seen, secret
    assert "org-secret" not in seen
    assert "[provider]" in seen  # the error message kept, the provider hidden
    # What the reader needs is there: the recorded bodies and the harmless headers.
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; &quot;quotes&quot; ünïcode" in seen or "&lt;b&gt;markup&lt;/b&gt;" in seen
    assert "Strelsau is the capital of Ruritania." in seen
    assert "anthropic-version" in seen and "req_share_1" in seen
    assert "<b>markup</b>" not in seen


def test_a_share_has_no_links_into_the_team(alice, anonymous):
    exchange = _record_through_the_gateway(alice, sse=False)
    path = share_link(alice, "exchange", exchange.public_id)
    html = "".join(Client().get(f"{path}?tab={tab}").content.decode() for tab in TABS)
    assert f"/exchanges/{exchange.public_id}/" not in html
    assert "/exchanges/" not in html and "/proxy/" not in html
    assert '<meta name="robots" content="noindex">' in html
