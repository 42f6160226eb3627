"""Exports from the inspector: the filtered list and a whole thread, as JSON Lines in the
`export_exchanges` schema and as one self-contained, inert HTML file; and the one-click diff
of two ticked rows or steps."""

from __future__ import annotations

import json
import re

from playground.recording import transfer
from playground.recording.models import Exchange
from tests.inspector.loop import record_loop
from tests.inspector.recorded import record

SCRIPT = "<script>alert('x')</script>"


def _lines(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def test_it_exports_what_the_filter_shows_as_jsonl(client, alice):
    record(alice, {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "apples"}]})
    record(alice, {"model": "sim-2", "max_tokens": 10, "messages": [{"role": "user", "content": "pears"}]})
    client.force_login(alice)
    response = client.get("/exchanges/export.jsonl", {"model": "sim-2"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="exchanges-')
    exchanges = [line for line in _lines(response) if line["kind"] == "exchange"]
    assert [e["model"] for e in exchanges] == ["sim-2"]
    assert exchanges[0]["version"] == transfer.SCHEMA_VERSION


def test_an_export_can_be_imported_back(client, alice, bob):
    step0, _, _ = record_loop(alice)
    client.force_login(alice)
    thread_id = Exchange.objects.get(pk=step0.pk).thread.public_id
    body = b"".join(client.get(f"/exchanges/threads/{thread_id}/export.jsonl").streaming_content).decode()
    Exchange.objects.all().delete()
    stats = transfer.import_lines(body.splitlines(keepends=True))
    assert stats.exchanges == 3
    assert sorted(Exchange.objects.values_list("step", flat=True)) == [0, 1, 2]


def test_a_thread_exports_every_step_in_order_and_nothing_of_other_teams(client, alice, bob):
    step0, step1, step2 = record_loop(alice)
    record(bob, {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "bob's secret"}]})
    client.force_login(alice)
    thread_id = Exchange.objects.get(pk=step0.pk).thread.public_id
    exchanges = [x for x in _lines(client.get(f"/exchanges/threads/{thread_id}/export.jsonl")) if x["kind"] == "exchange"]
    assert [x["public_id"] for x in exchanges] == [step0.public_id, step1.public_id, step2.public_id]
    listing = b"".join(client.get("/exchanges/export.jsonl").streaming_content)
    assert b"bob's secret" not in listing
    client.force_login(bob)
    assert client.get(f"/exchanges/threads/{thread_id}/export.jsonl").status_code == 404
    assert client.get(f"/exchanges/threads/{thread_id}/export.html").status_code == 404


def test_the_html_export_is_self_contained_and_inert(client, alice):
    step0, _, _ = record_loop(alice)
    record(alice, {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": SCRIPT}]},
           response={"id": "m", "type": "message", "role": "assistant", "model": "sim-1",
                     "content": [{"type": "text", "text": f"![x](https://evil.example/p.png) {SCRIPT}"}],
                     "stop_reason": "end_turn", "stop_sequence": None,
                     "usage": {"input_tokens": 1, "output_tokens": 1}})
    client.force_login(alice)
    response = client.get("/exchanges/export.html")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="exchanges-')
    html = response.content.decode()
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;' in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(" in html  # shown as text
    # Nothing is fetched from anywhere: no stylesheet link, no remote image, styles inline.
    assert "<link" not in html
    assert not re.search(r'<img[^>]+src="(?!data:)', html)
    assert "--c-tool-use" in html
    assert "Paris: 18°C" in html


def test_ticking_two_rows_diffs_them_older_first(client, alice):
    step0, step1, _ = record_loop(alice)
    client.force_login(alice)
    response = client.get("/exchanges/diff/", {"pick": [step1.public_id, step0.public_id]})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(step0.public_id) < html.index(step1.public_id)


def test_ticking_other_than_two_rows_says_so(client, alice):
    step0, _, _ = record_loop(alice)
    client.force_login(alice)
    response = client.get("/exchanges/diff/", {"pick": [step0.public_id]})
    assert response.status_code == 400
    assert "Tick exactly two exchanges" in response.content.decode()


def test_the_list_and_thread_offer_ticks_and_exports(client, alice):
    step0, _, _ = record_loop(alice)
    client.force_login(alice)
    listing = client.get("/exchanges/", {"model": "claude-haiku-4-5"}).content.decode()
    assert listing.count('name="pick"') == 3
    assert 'href="/exchanges/export.jsonl?model=claude-haiku-4-5"' in listing
    thread_id = Exchange.objects.get(pk=step0.pk).thread.public_id
    thread = client.get(f"/exchanges/threads/{thread_id}/").content.decode()
    assert thread.count('name="pick"') == 3
    assert f"/exchanges/threads/{thread_id}/export.html" in thread


def test_an_unknown_format_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get("/exchanges/export.csv").status_code == 404
