"""The sharing journey in Chromium: share from the exchange page, open the link in a fresh
signed-out context, open it in the playground as a user of another team, revoke, 404."""

from __future__ import annotations

import json
import threading

import pytest

from tests.browser.conftest import asgi_server, browser, page_for  # noqa: F401 (fixtures)
from tests.inspector import recorded
from tests.sharing.support import BODY, REPLY

pytestmark = pytest.mark.browser


def record(*args, **kwargs):
    """Record from a worker thread: Playwright's sync API keeps an event loop in this one,
    and the capture API would hand its writes to that (blocked) loop."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(recorded.record(*args, **kwargs)))
    worker.start()
    worker.join(30)
    assert out, "recording failed"
    return out[0]


def test_share_open_signed_out_open_in_another_team_then_revoke(
    page_for, browser, asgi_server, alice, bob, settings  # noqa: F811
):
    settings.AUTO_LOGIN_USER = None  # a signed-out context must really be signed out
    exchange = record(alice, BODY, response=REPLY)

    # alice shares the exchange from its page.
    owner = page_for(alice)
    owner.goto(exchange.get_absolute_url())
    owner.select_option("select[name=expires]", "7d")
    owner.click("[data-testid=share]")
    link = owner.locator("[data-testid=share-url]").inner_text().strip()
    assert "/s/pgs-" in link
    assert "It expires" in owner.locator("[data-testid=share-created]").inner_text()

    # A fresh browser context with no session at all reads it.
    stranger = browser.new_context(base_url=asgi_server)
    visitor = stranger.new_page()
    errors: list[str] = []
    visitor.on("pageerror", lambda exc: errors.append(str(exc)))
    response = visitor.goto(link)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["referrer-policy"] == "no-referrer"
    visitor.get_by_text("Strelsau is the capital of Ruritania.").wait_for()
    assert not [c for c in stranger.cookies() if c["name"] == "sessionid"]
    assert "alice" not in visitor.content() and "simulator" not in visitor.content()
    # Tabs swap in place under the strict CSP.
    visitor.click("nav.tabs a:has-text('Request')")
    visitor.wait_for_selector("#tab-panel[data-tab=request]")

    # bob, of another team, opens it in his playground.
    reader = page_for(bob)
    reader.goto(link)
    reader.click("[data-testid=open-in-playground]")
    reader.wait_for_url(f"{asgi_server}/")
    state = json.loads(reader.locator("#composer-state").text_content())
    assert state["request"]["messages"] == BODY["messages"]
    assert reader.locator(".rail .team").inner_text() == "globex"

    # alice revokes; the link is a plain 404 for everyone from then on.
    owner.goto("/shares/")
    assert owner.locator("[data-testid=share-row]").count() == 1
    owner.click("[data-testid=revoke]")
    owner.wait_for_selector("text=No active shares.")
    gone = visitor.goto(link)
    assert gone.status == 404
    assert visitor.locator("h1").inner_text() == "Not found"
    assert reader.goto(link).status == 404
    assert errors == []
    stranger.close()
