"""The exchange page renders every capture, tab by tab, for its team only."""

from __future__ import annotations

import re

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
    assert body.lstrip().startswith('<div id="tab-area">')
    assert 'data-tab="request"' in body and 'class="active">Request' in body
    assert 'class="rail"' not in body and "<html" not in body


def test_it_links_each_tool_result_to_its_tool_use_and_back(client, alice):
    exchange = record_capture(alice, "08_stream_tool_result_followup_parallel.json")
    client.force_login(alice)
    html = client.get(exchange.get_absolute_url()).content.decode()
    for i in (1, 2):
        use_anchor = f"b-messages-1-content-{i}"
        result_anchor = f"b-messages-2-content-{i - 1}"
        assert f'id="{use_anchor}"' in html and f'id="{result_anchor}"' in html
        assert f'<a href="#{use_anchor}">answers' in html
        assert f'<a href="#{result_anchor}">answered below</a>' in html


def test_it_collapses_thinking_and_marks_signatures(client, alice):
    exchange = record_capture(alice, "13_nonstream_thinking_text_tool_use.json")
    client.force_login(alice)
    html = client.get(exchange.get_absolute_url()).content.decode()
    assert re.search(r"<details><summary>thinking \(\d+ chars\) · signed</summary>", html)
    assert "<details open><summary>thinking" not in html


def test_it_links_a_finding_to_its_block(client, alice):
    exchange = record_capture(alice, "08_stream_tool_result_followup_parallel.json")
    finding = next(f for f in exchange.findings if f["path"].startswith("messages[1].content[0]"))
    client.force_login(alice)
    html = client.get(f"{exchange.get_absolute_url()}?tab=findings").content.decode()
    assert f'<a href="?tab=conversation#b-messages-1-content-0">{finding["path"]}</a>' in html
    assert "(the API accepted it)" in html


def test_it_includes_the_live_view_while_streaming(client, alice):
    from playground import recording
    from playground.recording.models import Exchange
    from tests.inspector.recorded import team_of

    rec = recording.start_exchange(source="playground", request_headers={"content-type": "application/json"},
                                   request_body=b'{"model":"sim-1","max_tokens":5,"stream":true,'
                                                b'"messages":[{"role":"user","content":"hi"}]}',
                                   provider="simulator", team_id=team_of(alice).pk, user_id=alice.pk)
    recording.flush_sync()
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.outcome == "streaming"
    client.force_login(alice)
    html = client.get(exchange.get_absolute_url()).content.decode()
    assert 'id="live-view"' in html
    rec.finish(outcome="client_cancelled")
    recording.flush_sync()
    assert 'id="live-view"' not in client.get(exchange.get_absolute_url()).content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client, alice, settings):
    settings.AUTO_LOGIN_USER = None
    exchange = record_capture(alice, "01_nonstream_text_metadata.json")
    for url in ("/exchanges/", exchange.get_absolute_url(), f"{exchange.get_absolute_url()}code/curl/",
                "/exchanges/threads/", f"/exchanges/diff/?a={exchange.public_id}&b={exchange.public_id}"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(f"{exchange.get_absolute_url()}replay/").status_code == 302


def test_it_answers_404_to_malformed_ids(client, alice):
    exchange = record_capture(alice, "01_nonstream_text_metadata.json")
    client.force_login(alice)
    base = exchange.get_absolute_url()
    for url in ("/exchanges/a%00b/", "/exchanges/a%00b/code/curl/", "/exchanges/a%00b/row/",
                "/exchanges/threads/a%00b/", f"{base}media/{'0' * 63}%00/", f"{base}media/zz/",
                "/exchanges/" + "x" * 300 + "/", "/exchanges/a'b/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/exchanges/diff/", {"a": "a\x00b", "b": exchange.public_id}).status_code == 404
