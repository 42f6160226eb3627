"""The timeline tab: offsets, time to first token, gaps, pages, and the deferred gap scan."""

from __future__ import annotations

import re
import time

from playground import recording
from playground.contract.sse import SSEParser
from playground.inspector import timeline
from playground.recording.events import event_at
from playground.recording.models import Exchange
from tests.conftest import load_capture
from tests.inspector.recorded import team_of


def record_paced(user, pauses_ms: list[float]) -> Exchange:
    """Capture 02's stream with chosen pauses before each event (ms)."""
    cap = load_capture("02_stream_text_basic.json")
    parser = SSEParser()
    events = parser.feed(cap["response_sse"].encode()) + parser.close()
    rec = recording.start_exchange(source="proxy", request_headers={"content-type": "application/json"},
                                   request_body=b'{"model":"claude-haiku-4-5","max_tokens":5,"stream":true,'
                                                b'"messages":[{"role":"user","content":"hi"}]}',
                                   provider="simulator", team_id=team_of(user).pk, user_id=user.pk)
    rec.response_started(200, {"content-type": "text/event-stream"})
    t = time.monotonic()
    for i, ev in enumerate(events):
        t += pauses_ms[i % len(pauses_ms)] / 1000.0
        rec.event(ev.raw, t, ev)
    rec.finish()
    recording.flush_sync()
    return Exchange.objects.get(public_id=rec.public_id)


def test_it_shows_each_event_with_its_offset_and_flags_a_gap(client, alice):
    pauses = [10.0, 10.0, 10.0, 2500.0, 10.0, 10.0, 10.0, 10.0]
    exchange = record_paced(alice, pauses)
    client.force_login(alice)
    html = client.get(f"{exchange.get_absolute_url()}?tab=timeline").content.decode()
    assert html.count('<tr id="ev-') == exchange.event_count
    gap_rows = re.findall(r'<tr id="ev-(\d+)" class="gap', html)
    assert gap_rows == ["3"]
    assert "1 gap</strong>" in html and "#3 +2.50 s" in html
    assert '<svg class="chart"' in html


def test_it_pages_long_streams_and_defers_the_full_gap_scan(client, alice, monkeypatch):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 3)
    monkeypatch.setattr(timeline, "INLINE_SCAN_LIMIT", 2)
    exchange = record_paced(alice, [10.0, 10.0, 10.0, 3000.0])
    client.force_login(alice)
    url = f"{exchange.get_absolute_url()}?tab=timeline"
    first = client.get(url).content.decode()
    assert re.findall(r'<tr id="ev-(\d+)"', first) == ["0", "1", "2"]
    assert "page 1 of" in first
    assert 'hx-get="?tab=timeline&amp;part=gaps" hx-trigger="load"' in first
    second = client.get(url + "&page=2").content.decode()
    assert re.findall(r'<tr id="ev-(\d+)"', second) == ["3", "4", "5"]
    gaps = client.get(url + "&part=gaps").content.decode()
    assert gaps.startswith('<div id="gaps"')
    assert "#3 +3.00 s" in gaps
    assert client.get(url + "&page=999").status_code == 200
    assert client.get(url + "&page=abc").status_code == 200


def test_it_reports_time_to_first_token_and_speed(client, alice):
    exchange = record_paced(alice, [100.0])
    client.force_login(alice)
    stats = timeline.stats_for(exchange)
    assert stats.count == exchange.event_count
    assert stats.first_token_ms is not None and stats.first_token_ms >= 100.0
    assert stats.last_ms >= 100.0 * exchange.event_count - 1
    html = client.get(f"{exchange.get_absolute_url()}?tab=timeline").content.decode()
    assert "time to first token" in html


def test_it_shows_one_event_in_full(client, alice):
    exchange = record_paced(alice, [10.0])
    client.force_login(alice)
    url = f"{exchange.get_absolute_url()}?tab=timeline"
    html = client.get(url).content.decode()
    assert 'href="?tab=timeline&amp;page=1&amp;event=3#event-detail"' in html
    detail = client.get(url + "&event=3").content.decode()
    raw = event_at(exchange, 3).raw
    assert 'id="event-detail"' in detail and "Event #3 · content_block_delta" in detail
    assert "&quot;text_delta&quot;" in detail and raw.split("\n")[0] in detail
    for bad in ("999", "-1", "x", "1" * 30):
        assert client.get(url + f"&event={bad}").status_code == 200
