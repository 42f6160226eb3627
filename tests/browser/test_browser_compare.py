"""Compare: the same request against two models, side by side, streaming at once."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_composer, recorded

pytestmark = pytest.mark.browser


def test_it_runs_two_models_side_by_side(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Compare us.")
    page.click("#compare-button")
    page.check("#compare-choices input[value='|sim-1']")
    page.check("#compare-choices input[value='|sim-1-fast']")
    page.click("#compare-run")
    page.wait_for_selector(".compare-grid .run-column:nth-child(2)")
    for column in (1, 2):
        page.wait_for_selector(f".compare-grid .run-column:nth-child({column}) [data-testid=run-outcome]:text-is('completed')")
    titles = page.locator(".compare-grid .run-head strong").all_text_contents()
    assert [t.strip() for t in titles] == ["sim-1", "sim-1-fast"]
    links = page.locator(".compare-grid [data-testid=exchange-link]")
    ids = [links.nth(i).get_attribute("href").strip("/").split("/")[-1] for i in range(2)]
    models = sorted(recorded(i).request_body["model"] for i in ids)
    assert models == ["sim-1", "sim-1-fast"]


def test_it_asks_for_two_to_four_models(page_for, alice):
    page = open_composer(page_for(alice))
    page.click("#compare-button")
    for box in page.locator("#compare-choices input:checked").all():
        box.uncheck()
    page.check("#compare-choices input[value='|sim-1']")
    page.click("#compare-run")
    assert "Pick two to four" in page.text_content("#compare-error")
    assert page.query_selector("[data-testid=response]") is None
