"""The team live view in a real browser: a teammate's page on server B shows a run from server A
as it streams, then its final state (static/composer/live.js under the strict CSP)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.composer.test_live_two_processes import two_servers, ws_connect  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.timeout(120)]


async def test_a_teammates_page_shows_the_run_live(two_servers):  # noqa: F811
    from playwright.async_api import async_playwright, expect

    (port_a, port_b), keys = two_servers
    request = {"model": "sim-1", "max_tokens": 300, "messages": [{"role": "user", "content": "Tell me about otters."}]}
    async with ws_connect(port_a, "/ws/runs/", keys["alice"]) as runner:
        await runner.send(json.dumps({
            "action": "run", "run_id": "browser-live", "request": request,
            # A pause after 3 deltas: the page opens while the run is still streaming, then
            # both sockets sit idle past redis-py's 5 s read timeout before the rest comes.
            "headers": {"x-sim-delay-ms": "10", "x-sim-output-tokens": "200", "x-sim-fault": "stall",
                        "x-sim-fault-after": "3", "x-sim-stall-ms": "12000"},
        }))
        frames = []
        async with asyncio.timeout(30):
            while not frames or frames[-1]["type"] != "run.events" or frames[-1]["events"][-1]["seq"] < 4:
                frames.append(json.loads(await runner.recv()))
        exchange_id = frames[0]["exchange_id"]

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context()
                base = f"http://127.0.0.1:{port_b}"
                await context.add_cookies([{"name": "sessionid", "value": keys["carol"], "url": base}])
                page = await context.new_page()
                problems = []
                # Resource failures are caught by status below (the favicon is not the page's).
                page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                        and not m.text.startswith("Failed to load resource") else None)
                page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
                await page.goto(f"{base}/exchanges/{exchange_id}/")
                status = page.locator("#live-view [data-live-status]")
                assert await status.text_content() == "streaming"
                await expect(status).to_have_text("completed", timeout=30_000)
                shown = await page.locator("#live-view [data-live-blocks]").inner_text()
                count = await page.locator("#live-view [data-live-count]").text_content()
            finally:
                await browser.close()

        async with asyncio.timeout(30):
            while frames[-1]["type"] != "run.finished":
                frames.append(json.loads(await runner.recv()))

    final = frames[-1]
    assert final["outcome"] == "completed"
    text = "".join(b["text"] for b in final["message"]["content"] if b["type"] == "text")
    assert text and text in shown
    events = sum(len(f["events"]) for f in frames if f["type"] == "run.events")
    assert count == f"{events} events"
    assert problems == []
