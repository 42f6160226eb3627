"""Team links and comments in Chromium: the copy-link control puts the block's full URL on
the clipboard, the link opens the page at that block, and a comment added there shows
with its author, its markup inert."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import asgi_server, browser, page_for  # noqa: F401 (fixtures)
from tests.inspector import recorded
from tests.sharing.support import BODY, REPLY

pytestmark = pytest.mark.browser


def record(*args, **kwargs):
    """Record from a worker thread (Playwright keeps an event loop in this one)."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(recorded.record(*args, **kwargs)))
    worker.start()
    worker.join(30)
    assert out, "recording failed"
    return out[0]


def test_copy_a_team_link_then_comment_on_that_block(page_for, asgi_server, alice):  # noqa: F811
    exchange = record(alice, BODY, response=REPLY)
    page = page_for(alice)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=asgi_server)
    page.goto(exchange.get_absolute_url())
    page.click("a[data-copy-link='turn-1-block-0']")
    page.wait_for_selector("a[data-copy-link='turn-1-block-0'][data-copied]")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == f"{asgi_server}{exchange.get_absolute_url()}#turn-1-block-0"

    page.goto(link)
    assert page.evaluate("() => location.hash") == "#turn-1-block-0"
    block = page.locator("#turn-1-block-0")
    block.locator("summary:has-text('Comment')").click()
    block.locator("textarea[name=body]").fill("<img src=x onerror=alert(1)> check this answer")
    block.locator("button:has-text('Add comment')").click()
    page.wait_for_url(f"{asgi_server}{exchange.get_absolute_url()}#turn-1-block-0")
    comment = page.locator("#turn-1-block-0 [data-testid=comment]")
    assert "alice" in comment.inner_text()
    assert comment.locator(".comment-body").inner_text() == "<img src=x onerror=alert(1)> check this answer"
    assert comment.locator("img").count() == 0
