"""Inspector moves in Chromium: tick two rows (or two thread steps) and diff them in one
click; download a thread as one HTML file and open it offline, where it fetches nothing."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from playground.recording.models import Exchange
from tests.browser.conftest import record_loop

pytestmark = pytest.mark.browser


def test_ticking_two_rows_diffs_them_in_one_click(page_for, alice):
    step0, step1, _ = record_loop(alice)
    page = page_for(alice)
    page.goto("/exchanges/")
    button = page.locator("[data-testid=diff-picked]")
    expect(button).to_be_disabled()
    page.check(f"#ex-{step1.public_id} [data-testid=pick]")
    expect(button).to_be_disabled()
    page.check(f"#ex-{step0.public_id} [data-testid=pick]")
    expect(button).to_be_enabled()
    button.click()
    page.wait_for_url("**/exchanges/diff/**")
    assert f"a={step0.public_id}" not in page.url  # the ticks travel as `pick`
    expect(page.locator("body")).to_contain_text(step0.public_id)
    expect(page.locator("body")).to_contain_text(step1.public_id)


def test_ticking_two_thread_steps_diffs_them(page_for, alice):
    step0, _, step2 = record_loop(alice)
    thread_id = Exchange.objects.get(pk=step0.pk).thread.public_id
    page = page_for(alice)
    page.goto(f"/exchanges/threads/{thread_id}/")
    page.check(f"#step-{step0.public_id} [data-testid=pick]")
    page.check(f"#step-{step2.public_id} [data-testid=pick]")
    page.click("[data-testid=diff-picked]")
    page.wait_for_url("**/exchanges/diff/**")
    expect(page.locator("body")).to_contain_text("system[0]")


def test_a_thread_downloads_as_one_html_file_that_opens_offline(page_for, alice, tmp_path):
    step0, _, _ = record_loop(alice)
    thread_id = Exchange.objects.get(pk=step0.pk).thread.public_id
    page = page_for(alice)
    page.goto(f"/exchanges/threads/{thread_id}/")
    with page.expect_download() as download:
        page.click("[data-testid=export-html]")
    path = tmp_path / "thread.html"
    download.value.save_as(path)
    offline = page.context.new_page()
    fetched = []
    offline.on("request", lambda r: fetched.append(r.url) if not r.url.startswith("file:") else None)
    offline.goto(path.as_uri())
    expect(offline.locator("body")).to_contain_text("Paris: 18°C")
    expect(offline.locator(".block-tool_use").first).to_be_visible()
    assert fetched == []


def test_replay_shows_progress_then_lands_on_the_diff(page_for, alice):
    from tests.inspector import recorded

    body = {"model": "sim-1", "max_tokens": 64, "messages": [{"role": "user", "content": "Tell me about otters."}]}
    headers = {"content-type": "application/json", "anthropic-version": "2023-06-01"}
    out: list = []
    worker = threading.Thread(target=lambda: out.append(recorded.record(alice, body, request_headers=headers, response={
        "id": "m", "type": "message", "role": "assistant", "model": "sim-1", "content": [{"type": "text", "text": "Otters."}],
        "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 2}})))
    worker.start()
    worker.join(30)
    exchange = out[0]
    page = page_for(alice)
    page.goto(f"/exchanges/{exchange.public_id}/")
    expect(page.get_by_label("Replay with model")).to_have_value("sim-1")
    # Hold the replay request until the page has shown its progress, then let it through.
    held: list = []
    page.route("**/replay/", lambda route: held.append(route))
    page.click("[data-testid=replay]", no_wait_after=True)
    expect(page.locator("[data-testid=replay]")).to_have_text("Replaying…")
    expect(page.locator("[data-testid=replay]")).to_be_disabled()
    expect(page.locator("[data-replay-progress]")).to_be_visible()
    expect(page.locator("[data-replay-elapsed]")).to_contain_text("with sim-1")
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # Playwright hands over the held request while it waits
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url("**/exchanges/diff/**", timeout=30_000)
    expect(page.locator("body")).to_contain_text(exchange.public_id)
