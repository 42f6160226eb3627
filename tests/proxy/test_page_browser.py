"""The /proxy/ page in Chromium: a key is created and shown once, copied, switched to
replay and revoked, all through htmx swaps."""

from __future__ import annotations

import re

import pytest

from tests.chromium import sync_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def page(proxy_url, alice):
    from django.test import Client

    client = Client()
    client.force_login(alice)
    with sync_chromium() as browser:
        context = browser.new_context(base_url=proxy_url)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=proxy_url)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": proxy_url}]
        )
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.set_default_timeout(10_000)
        yield page
        page.goto("about:blank")
        context.close()


def test_it_creates_copies_switches_and_revokes_a_key(page, proxy_url):
    from playwright.sync_api import expect

    from playground.proxy.models import ProxyKey

    page.goto("/proxy/")
    assert page.get_by_test_id("base-url").inner_text() == proxy_url
    assert f'base_url="{proxy_url}"' in page.locator("#snippet-python-code").inner_text()

    page.get_by_test_id("key-name").fill("browser-agent")
    page.get_by_test_id("create-key").click()
    raw = page.get_by_test_id("new-key-value").inner_text()
    assert re.fullmatch(r"pgk-[A-Za-z0-9_-]{43}", raw)
    assert page.url.endswith("/proxy/")  # swapped in place by htmx, no navigation

    copy = page.locator("[data-testid=new-key] .copy-row button.copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == raw

    page.get_by_label("Mode of browser-agent").select_option("replay")
    expect(page.get_by_test_id("new-key")).to_have_count(0)
    assert ProxyKey.objects.get(name="browser-agent").mode == "replay"

    page.reload()
    assert raw not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("revoke-key").click()
    page.wait_for_selector("tr.revoked")
    assert ProxyKey.objects.get(name="browser-agent").revoked_at is not None
    assert page.errors == []


def test_a_new_keys_recipe_works_as_pasted_and_its_call_shows_in_the_tail(page, proxy_url):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/proxy/")
    tail = page.get_by_test_id("tail")
    assert tail.bounding_box()["y"] < 800, "the live tail is visible without scrolling"
    page.get_by_test_id("key-name").fill("pasted-recipe")
    page.get_by_test_id("create-key").click()
    raw = page.get_by_test_id("new-key-value").inner_text()
    recipes = page.get_by_test_id("new-key-recipes")
    for recipe in ("python", "typescript", "curl", "env"):
        expect(recipes.get_by_test_id(f"new-key-snippet-{recipe}")).to_contain_text(raw)
    # The Python recipe, pasted as it is, makes a real call through the proxy.
    namespace: dict = {}
    exec(page.locator("#new-key-snippet-python-code").inner_text(), namespace)  # noqa: S102
    assert namespace["message"].content[0].type == "text"
    expect(tail.locator("tbody tr", has_text="pasted-recipe")).to_have_count(1, timeout=15_000)
    page.reload()
    assert raw not in page.content()
    assert page.errors == []
