"""The composer's library journey: variables with two value sets, save, edit, the unsaved
marker, reload, save again, the evaluation grid recording two exchanges linked back, and
`/?saved=` showing the request's existing tab."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.library.models import RunOrigin, SavedRequest
from playground.teams.models import Team
from tests.browser.conftest import open_composer, recorded, screenshot

pytestmark = pytest.mark.browser

TEXT = "[data-testid=turn-0] textarea.text-input"


def _save(page, name: str, message: str, version: int) -> None:
    page.wait_for_selector("[data-testid=save-dialog][open]")
    page.fill("[data-testid=save-name]", name)
    page.fill("[data-testid=save-message]", message)
    page.click("[data-testid=save-submit]")
    page.wait_for_selector("[data-testid=save-dialog]", state="hidden")
    page.wait_for_selector(f"#save-state:text-is('saved version {version}')")


def test_save_edit_save_again_and_run_the_grid(page_for, alice):
    team = Team.objects.get(name="acme")
    page = open_composer(page_for(alice))
    page.fill(TEXT, "What is the weather in {{city}}?")

    # Two value sets on the Variables tab; the placeholder has no value until one is typed.
    page.click("[data-testid=tab-variables]")
    page.click("[data-testid=add-set]")
    page.fill("[data-testid=set-name]", "paris")
    page.press("[data-testid=set-name]", "Tab")
    page.wait_for_selector("[data-testid=vars-status]:has-text('No value for {{city}}')")
    page.fill("[data-testid='value-paris-city']", "Paris")
    page.wait_for_selector("[data-testid=vars-status]:text-is('Active: paris.')")
    page.click("[data-testid=add-set]")
    page.locator("[data-testid=set-name]").nth(1).fill("oslo")
    page.locator("[data-testid=set-name]").nth(1).press("Tab")
    page.fill("[data-testid='value-oslo-city']", "Oslo")
    page.wait_for_selector("#save-state:text-is('draft saved')")
    # The top bar shows the active set and switches it.
    assert page.input_value("[data-testid=active-set]") == "paris"
    page.select_option("[data-testid=active-set]", "oslo")
    page.wait_for_selector("[data-testid=vars-status]:text-is('Active: oslo.')")
    page.select_option("[data-testid=active-set]", "paris")
    page.wait_for_selector("[data-testid=vars-status]:text-is('Active: paris.')")

    # First save: Ctrl+S, a name and a message.
    page.keyboard.press("Control+s")
    _save(page, "Weather by city", "first", 1)
    assert page.is_hidden("[data-testid=unsaved-marker]")
    saved = SavedRequest.objects.get(team=team, name="Weather by city")
    assert page.get_attribute("[data-testid=saved-link]", "href") == f"/library/{saved.public_id}/"
    assert page.get_attribute("[data-testid=version-link]", "href") == f"/library/{saved.public_id}/versions/1/"
    assert saved.versions.get(number=1).state["variables"]["sets"] == [
        {"name": "paris", "values": {"city": "Paris"}}, {"name": "oslo", "values": {"city": "Oslo"}}]

    # An edit shows the unsaved marker, which survives a reload with the edit.
    page.fill(TEXT, "Weather in {{city}} today, in one line?")
    page.wait_for_selector("[data-testid=unsaved-marker]:visible")
    page.wait_for_selector("#save-state:text-is('draft saved')")
    page.reload()
    page.wait_for_selector("#conversation .turn")
    assert page.input_value(TEXT) == "Weather in {{city}} today, in one line?"
    page.wait_for_selector("[data-testid=unsaved-marker]:visible")

    page.click("[data-testid=save]")
    _save(page, "Weather by city", "one line", 2)
    assert page.is_hidden("[data-testid=unsaved-marker]")
    assert list(saved.versions.order_by("number").values_list("message", flat=True)) == ["first", "one line"]

    # The evaluation grid: one row per value set, each a recorded exchange linked back.
    page.click("[data-testid=grid]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=grid-row] [data-testid=run-outcome]').length === 2"
                           " && [...document.querySelectorAll('[data-testid=grid-row] [data-testid=run-outcome]')].every(b => b.textContent === 'completed')")
    rows = page.locator("[data-testid=grid-row]")
    for i, city in enumerate(["Paris", "Oslo"]):
        row = rows.nth(i)
        assert city in row.locator(".response-blocks").text_content()
        status = row.locator("[data-testid=run-status]").text_content()
        assert "stop_reason end_turn" in status and "time" in status and "out" in status
        public_id = row.locator("[data-testid=exchange-link]").get_attribute("href").strip("/").split("/")[-1]
        exchange = recorded(public_id)
        assert exchange.request_body["messages"][0]["content"][0]["text"] == f"Weather in {city} today, in one line?"
        origin = RunOrigin.objects.get(exchange_id=public_id)
        assert (origin.saved_request_id, origin.version_number, origin.value_set) == (saved.pk, 2, city.lower())
    assert page.is_enabled("[data-testid=run]")
    page.click("[data-testid=tab-variables]")
    assert screenshot(page, "composer-grid.png", height=1100).stat().st_size > 10_000

    # Another tab, then `/?saved=` goes back to this request's tab instead of opening a third.
    page.click("[data-testid=copy-new]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=copy-tab]').length === 2")
    page.goto(f"/?saved={saved.public_id}")
    page.wait_for_selector("#conversation .turn")
    assert page.input_value(TEXT) == "Weather in {{city}} today, in one line?"
    assert page.locator("[data-testid=copy-tab]").count() == 2
    assert workcopies.copies_for(alice, team).count() == 2


def test_the_grid_stops_as_a_whole(page_for, alice):
    team = Team.objects.get(name="acme")
    state = {
        "request": {"model": "sim-1", "max_tokens": 1024, "messages": [{"role": "user", "content": [{"type": "text", "text": "Tell me about {{animal}}."}]}]},
        "headers": {"anthropic-version": "2023-06-01", "x-sim-delay-ms": "30", "x-sim-output-tokens": "600"},
        "variables": {"sets": [{"name": "otters", "values": {"animal": "otters"}}, {"name": "owls", "values": {"animal": "owls"}}], "active": "otters"},
    }
    copy = workcopies.open_working_copy(alice, team, state, "Animals")
    page = open_composer(page_for(alice), copy.get_absolute_url())
    page.click("[data-testid=grid]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=grid-row] .text-out').length === 2")
    page.keyboard.press("Escape")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=grid-row] [data-testid=run-outcome]')]"
                           ".map(b => b.textContent).join() === 'stopped,stopped'")
    assert page.is_enabled("[data-testid=grid]") and page.is_disabled("[data-testid=stop]")
    for row in range(2):
        href = page.locator("[data-testid=grid-row]").nth(row).locator("[data-testid=exchange-link]").get_attribute("href")
        assert recorded(href.strip("/").split("/")[-1]).outcome == "client_cancelled"
