"""The sharing journey in Chromium: share a saved request from its page, open the link in
a fresh signed-out context, open it in the playground as a user of another team, revoke,
and see the 404."""

from __future__ import annotations

import json

import pytest

from playground.library import ops as library
from playground.teams.ops import ensure_team
from tests.browser.conftest import asgi_server, browser, page_for  # noqa: F401 (fixtures)
from tests.sharing.support import BODY

pytestmark = pytest.mark.browser


def test_share_open_signed_out_open_in_another_team_then_revoke(
    page_for, browser, asgi_server, alice, bob, settings  # noqa: F811
):
    settings.AUTO_LOGIN_USER = None  # a signed-out context must really be signed out
    saved = library.create_saved_request(
        ensure_team("acme"), alice, "Ruritania question",
        {"request": BODY, "provider": "simulator", "headers": {"anthropic-version": "2023-06-01"}, "mocks": {}},
    )
    library.save_version(saved, alice, {"request": {**BODY, "max_tokens": 99}, "provider": "simulator",
                                        "headers": {"anthropic-version": "2023-06-01"}, "mocks": {}})

    # alice shares the saved request, pinned to version 1, from its page.
    owner = page_for(alice)
    owner.goto(saved.get_absolute_url())
    owner.select_option("select[name=version]", "1")
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
    visitor.get_by_text("What is the capital of Ruritania?", exact=True).wait_for()
    assert "version 1" in visitor.locator(".topbar").inner_text()
    assert not [c for c in stranger.cookies() if c["name"] == "sessionid"]
    assert "alice" not in visitor.content() and "simulator" not in visitor.content()

    # bob, of another team, opens it in his playground.
    reader = page_for(bob)
    reader.goto(link)
    reader.click("[data-testid=open-in-playground]")
    assert reader.locator("[data-testid=open-team]").inner_text() == "globex"
    reader.click("[data-testid=open-confirm]")
    reader.wait_for_url(f"{asgi_server}/?copy=*")
    state = json.loads(reader.locator("#composer-state").text_content())
    assert state["request"] == BODY  # version 1, as pinned
    assert state["provider"] is None
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
