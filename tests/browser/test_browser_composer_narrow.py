"""The composer on a phone and a tablet: one column, nothing sideways, the settings panel as
its own section, the response full width, and the main journey (compose, run, read the
answer, open the exchange) done with touch-sized targets."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_composer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(390, 844), (768, 1024)])
def test_the_composer_journey_on_a_narrow_screen(page_for, alice, size):
    page = open_composer(page_for(alice, viewport=size))
    wide = "() => document.documentElement.scrollWidth - window.innerWidth"
    assert page.evaluate(wide) <= 0
    main = page.locator(".composer-main").bounding_box()
    side = page.locator(".composer-side").bounding_box()
    assert side["y"] >= main["y"] + main["height"] - 1  # the panel sits below, not beside
    assert side["width"] >= main["width"] - 2  # the whole column
    run = page.locator("[data-testid=run]")
    assert run.bounding_box()["height"] >= 36
    page.fill("[data-testid=turn-0] textarea.text-input", "Tell me about otters.")
    run.click()
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    response = page.locator("[data-testid=response]").bounding_box()
    assert response["width"] >= main["width"] - 2  # full width
    assert page.text_content("[data-testid=response] .response-blocks").strip()
    assert page.evaluate(wide) <= 0
    link = page.locator("[data-testid=exchange-link]")
    assert link.bounding_box()["height"] >= 36
    link.click()
    page.wait_for_url("**/exchanges/**")
    page.wait_for_load_state("load")
    assert page.evaluate(wide) <= 0
