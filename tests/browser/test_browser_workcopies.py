"""Several requests open at once: tabs to switch, open and close; "Open in playground" from
an exchange opens a new tab without touching the others; edits survive a reload."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.teams.models import Team
from tests.browser.conftest import open_composer, recorded

pytestmark = pytest.mark.browser

TEXT = "[data-testid=turn-0] textarea.text-input"


def _type_and_wait_saved(page, text: str) -> None:
    page.fill(TEXT, text)
    page.wait_for_selector("#save-state:text-is('draft saved')")


def _switch_to(page, title: str) -> None:
    page.click(f"[data-testid=copy-tab] .copy-title:text-is('{title}')")
    page.wait_for_selector(f"[data-testid=copy-tab][aria-current=page] .copy-title:text-is('{title}')")
    page.wait_for_selector("#conversation .turn")


def test_two_requests_open_at_once_and_open_in_playground_adds_a_third(page_for, alice):
    team = Team.objects.get(name="acme")
    page = open_composer(page_for(alice))
    first_url = page.url
    assert "?copy=" in first_url
    _type_and_wait_saved(page, "the first request")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    exchange_url = page.get_attribute("[data-testid=exchange-link]", "href")
    recorded(exchange_url.strip("/").split("/")[-1])

    # A second tab: blank, and the first one keeps its text.
    page.click("[data-testid=copy-new]")
    page.wait_for_function("n => document.querySelectorAll('[data-testid=copy-tab]').length === n", arg=2)
    page.wait_for_selector("#conversation .turn")
    assert page.input_value(TEXT) == ""
    page.dblclick("[data-testid=copy-tab][aria-current=page] .copy-title")
    page.fill(".copy-rename", "Second")
    page.press(".copy-rename", "Enter")
    page.wait_for_selector("[data-testid=copy-tab][aria-current=page] .copy-title:text-is('Second')")
    _type_and_wait_saved(page, "the second request")

    _switch_to(page, "Untitled")
    assert page.input_value(TEXT) == "the first request"
    _switch_to(page, "Second")
    assert page.input_value(TEXT) == "the second request"

    # Open in playground from the exchange: a new tab, the two others untouched.
    page.goto(exchange_url)
    page.click("text=Open in playground")
    page.wait_for_function("n => document.querySelectorAll('[data-testid=copy-tab]').length === n", arg=3)
    page.wait_for_selector("#conversation .turn")
    assert page.input_value(TEXT) == "the first request"
    assert "?copy=" in page.url and "exchange=" not in page.url
    texts = sorted(c.state["request"]["messages"][0]["content"][0]["text"] for c in workcopies.copies_for(alice, team))
    assert texts == ["the first request", "the first request", "the second request"]

    # A reload shows the same copy (no fourth), with the edits made in it.
    _type_and_wait_saved(page, "edited after opening")
    page.wait_for_selector("[data-testid=copy-tab][aria-current=page][data-unsaved=true] .unsaved-dot")
    page.reload()
    page.wait_for_selector("#conversation .turn")
    assert page.input_value(TEXT) == "edited after opening"
    assert page.locator("[data-testid=copy-tab]").count() == 3
    assert page.is_visible("[data-testid=unsaved-marker]")

    # Closing a copy with unsaved changes asks first; "keep it" keeps it.
    page.click("[data-testid=copy-tab][aria-current=page] .copy-close")
    page.wait_for_selector("[data-testid=close-dialog][open]")
    page.click("#close-cancel")
    page.wait_for_selector("[data-testid=close-dialog]", state="hidden")
    assert workcopies.copies_for(alice, team).count() == 3
    page.click("[data-testid=copy-tab][aria-current=page] .copy-close")
    page.click("[data-testid=close-confirm]")
    page.wait_for_function("n => document.querySelectorAll('[data-testid=copy-tab]').length === n", arg=2)
    page.wait_for_selector("#conversation .turn")
    assert sorted(c.title for c in workcopies.copies_for(alice, team)) == ["Second", "Untitled"]


def test_two_windows_on_one_copy_never_overwrite_each_other_silently(page_for, alice):
    team = Team.objects.get(name="acme")
    copy = workcopies.open_working_copy(alice, team, workcopies.default_state(), "Shared")
    first = open_composer(page_for(alice), copy.get_absolute_url())
    second = open_composer(first.context.new_page(), copy.get_absolute_url())
    second.errors = []
    _type_and_wait_saved(first, "from the first window")
    second.fill(TEXT, "from the second window")
    second.wait_for_selector("#save-state:has-text('changed in another window')")
    assert workcopies.get_copy(alice, team, copy.public_id).state["request"]["messages"][0]["content"][0]["text"] == "from the first window"
    second.click("[data-testid=overwrite]")
    second.wait_for_selector("#save-state:text-is('draft saved')")
    assert workcopies.get_copy(alice, team, copy.public_id).state["request"]["messages"][0]["content"][0]["text"] == "from the second window"
