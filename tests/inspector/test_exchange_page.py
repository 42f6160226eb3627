"""The exchange page renders every capture, tab by tab, for its team only."""

from __future__ import annotations

import pytest

from tests.conftest import all_captures
from tests.inspector.recorded import record_capture

TABS = ("conversation", "request", "response", "timeline", "headers", "cache", "findings")


@pytest.mark.parametrize("name", all_captures())
def test_it_renders_every_tab_of_every_capture(client, alice, name):
    exchange = record_capture(alice, name)
    client.force_login(alice)
    for tab in TABS:
        response = client.get(f"/exchanges/{exchange.public_id}/?tab={tab}")
        assert response.status_code == 200, (name, tab)
        assert f'data-tab="{tab}"' in response.content.decode()


def test_it_shows_the_reply_text_and_usage(client, alice):
    exchange = record_capture(alice, "02_stream_text_basic.json")
    client.force_login(alice)
    page = client.get(exchange.get_absolute_url()).content.decode()
    text = "".join(b["text"] for b in exchange.message["content"] if b["type"] == "text")
    assert text.strip()[:20] in page
    assert exchange.model in page
    assert f"{exchange.output_tokens:,}" in page


def test_it_hides_the_exchange_from_another_team(client, alice, bob):
    exchange = record_capture(alice, "02_stream_text_basic.json")
    client.force_login(bob)
    assert client.get(exchange.get_absolute_url()).status_code == 404
    for suffix in ("code/curl/", "raw/request.json", "row/"):
        assert client.get(f"{exchange.get_absolute_url()}{suffix}").status_code == 404


def test_it_serves_a_tab_as_an_htmx_partial(client, alice):
    exchange = record_capture(alice, "13_nonstream_thinking_text_tool_use.json")
    client.force_login(alice)
    response = client.get(f"{exchange.get_absolute_url()}?tab=request", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="tab-panel"')
    assert "<nav" not in body
