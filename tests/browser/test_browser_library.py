"""The library in Chromium: create a saved request, save a second version, diff the two,
restore the first, then export the collection and import it back."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from playground.library.models import SavedRequest
from playground.teams.ops import add_member, ensure_team
from tests.library.conftest import sample_state

pytestmark = pytest.mark.browser


@pytest.fixture
def carol(transactional_db):
    user = get_user_model().objects.create_user("carol", password="carol-password")
    add_member(ensure_team("acme"), user, "owner")
    return user


def test_it_saves_diffs_restores_exports_and_imports(page_for, carol, tmp_path):
    page = page_for(carol)
    page.goto("/library/new")
    page.fill("[name=name]", "Weather <loop>")
    page.fill("[name=tags]", "weather, tools")
    page.fill("[name=state]", json.dumps(sample_state()))
    page.click("[data-testid=save-new]")
    expect(page.locator("h1")).to_contain_text("Weather <loop>")
    expect(page.locator("#v1")).to_contain_text("carol")

    # Save again: change the user's text.
    page.click("[data-testid=edit-state]")
    state = json.loads(page.input_value("[data-testid=version-state]"))
    state["request"]["messages"][0]["content"][0]["text"] = "Is it raining in {{city}}?"
    page.fill("[data-testid=version-state]", json.dumps(state))
    page.fill("[data-testid=version-message]", "ask about rain")
    page.click("[data-testid=save-version]")
    expect(page.locator("#v2")).to_contain_text("ask about rain")

    # Diff v1 with v2 through the history's compare form.
    page.click("[data-testid=compare]")
    changed = page.locator("tr.change-changed")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("messages[0].content[0].text")
    expect(changed).to_contain_text("Is it raining in {{city}}?")

    # Restore v1 as v3.
    page.go_back()
    page.click("[data-testid=restore-1]")
    expect(page.locator("#v3")).to_contain_text("restored v1")
    saved = SavedRequest.objects.get(name="Weather <loop>")
    assert saved.versions.get(number=3).state == saved.versions.get(number=1).state

    # Export the whole collection, import it back: two requests of that name, 3 versions each.
    page.goto("/library/")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    path = tmp_path / "requests.json"
    download.value.save_as(path)
    assert json.loads(path.read_text())["requests"][0]["name"] == "Weather <loop>"
    page.goto("/library/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=import-submit]")
    expect(page.locator(".lib-messages")).to_contain_text("Imported 1 saved request (3 versions)")
    expect(page.locator("[data-testid=saved-row]")).to_have_count(2)
    assert [s.latest_number for s in SavedRequest.objects.filter(name="Weather <loop>")] == [3, 3]


def test_it_lists_every_problem_of_a_broken_file_and_imports_nothing(page_for, carol, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({
        "format": "messages-playground.requests", "version": 1,
        "requests": [{"name": "", "versions": [{"state": {"request": [], "notes": 1}}]}],
    }))
    page = page_for(carol)
    page.goto("/library/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=import-submit]")
    problems = page.locator(".lib-problems li")
    expect(problems).to_have_count(3)
    expect(page.locator(".lib-problems")).to_contain_text("$.requests[0].versions[0].state.notes")
    assert not SavedRequest.objects.exists()
