"""Every page at phone (390x844) and tablet (768x1024) sizes: nothing makes the page scroll
sideways, the rail folds into a menu that opens by a touch-sized button; and the colour theme
toggle overrides the system's setting and is remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground.recording.models import Exchange
from tests.browser.conftest import record_loop

pytestmark = pytest.mark.browser

SIZES = [(390, 844), (768, 1024)]


def overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways(page_for, alice, size):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    step0, step1, _ = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread.public_id
    page = page_for(alice, viewport=size)
    paths = [
        "/exchanges/", "/exchanges/threads/", f"/exchanges/threads/{thread}/", f"/exchanges/{step1.public_id}/",
        f"/exchanges/{step1.public_id}/?tab=timeline", f"/exchanges/diff/?a={step0.public_id}&b={step1.public_id}",
        "/proxy/", "/providers/", "/providers/new/", "/library/", "/",
    ]
    wide = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        if overflow(page) > 0:
            wide[path] = overflow(page)
    assert wide == {}


def test_the_rail_is_a_menu_on_a_phone(page_for, alice):
    page = page_for(alice, viewport=(390, 844))
    page.goto("/exchanges/")
    menu = page.locator("[data-rail-toggle]")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["height"] >= 40 and box["width"] >= 44
    link = page.locator(".rail a", has_text="Threads")
    expect(link).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    assert link.bounding_box()["height"] >= 40
    link.click()
    page.wait_for_url("**/exchanges/threads/")


def test_the_theme_toggle_overrides_the_system_and_is_remembered(page_for, alice):
    page = page_for(alice)
    page.emulate_media(color_scheme="light")
    page.goto("/exchanges/")
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    toggle = page.locator("[data-theme-toggle]")
    expect(toggle).to_have_text("Theme: system")
    toggle.click()
    expect(toggle).to_have_text("Theme: light")
    toggle.click()
    expect(toggle).to_have_text("Theme: dark")
    assert page.evaluate(background) != light
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) != light
    page.emulate_media(color_scheme="dark")
    toggle.click()  # back to the system's setting, which is now dark
    expect(toggle).to_have_text("Theme: system")
    assert page.evaluate(background) != light
