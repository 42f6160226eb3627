"""The keyboard map behind `?` lists the keys and each one works; two request headers whose
names differ only in case get a finding."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.teams.models import Team
from tests.browser.conftest import add_headers, open_composer

pytestmark = pytest.mark.browser


def test_duplicate_header_names_get_a_finding(page_for, alice):
    page = open_composer(page_for(alice))
    add_headers(page, {"X-Sim-Delay-Ms": "10", "x-sim-delay-ms": "20", "x-sim-fault": "none"})
    note = page.wait_for_selector('[data-path="headers[1]"] .finding-warning')
    assert "duplicate header name" in note.text_content() and "x-sim-delay-ms" in note.text_content()
    assert page.query_selector('[data-path="headers[2]"] .finding-inline') is None
    page.click('[data-tab="findings"]')
    assert "duplicate header name" in page.text_content("#findings-list")
    page.click('[data-tab="headers"]')
    page.locator(".header-row input[aria-label='header name']").nth(1).fill("x-sim-seed")
    page.wait_for_function("() => !document.querySelector('.header-row .finding-inline')")


def test_the_keyboard_map_lists_and_does_each_move(page_for, alice):
    team = Team.objects.get(name="acme")
    workcopies.open_working_copy(alice, team, {"request": {"model": "sim-1", "max_tokens": 50, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "one"}]}]}}, "First")
    workcopies.open_working_copy(alice, team, {"request": {"model": "sim-1", "max_tokens": 50, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "two"}]}]}}, "Second")
    page = open_composer(page_for(alice))
    page.keyboard.press("?")
    listed = page.wait_for_selector("[data-testid=keyboard-map]").text_content()
    for move in ("Run", "Stop", "Add a text block", "Next / previous block", "raw JSON view", "Save", "open request (tab)"):
        assert move in listed
    page.click("#shortcuts-close")

    first = page.locator("[data-testid=turn-0] textarea.text-input").first
    first.focus()
    page.keyboard.press("Alt+b")  # add block
    page.wait_for_function("() => document.querySelectorAll('[data-testid=turn-0] textarea.text-input').length === 2")
    page.wait_for_function("() => document.activeElement === document.querySelectorAll('[data-testid=turn-0] textarea.text-input')[1]")
    page.keyboard.press("Alt+ArrowUp")  # previous block
    page.wait_for_function("() => document.activeElement === document.querySelectorAll('[data-testid=turn-0] textarea.text-input')[0]")
    page.keyboard.press("Alt+ArrowDown")  # next block
    page.wait_for_function("() => document.activeElement === document.querySelectorAll('[data-testid=turn-0] textarea.text-input')[1]")
    page.keyboard.press("Alt+r")  # raw view on, then off
    page.wait_for_selector('[data-tab="raw"][aria-selected="true"]')
    page.keyboard.press("Alt+r")
    page.wait_for_selector('[data-tab="params"][aria-selected="true"]')
    page.locator("[data-testid=turn-0] textarea.text-input").nth(1).fill("hello")
    page.keyboard.press("Control+Enter")  # run
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    page.keyboard.press("Control+s")  # save
    page.wait_for_selector("#save-dialog[open]")
    page.keyboard.press("Escape")
    assert page.locator(".copy-tab").count() >= 2
    before = page.url
    page.keyboard.press("Alt+PageDown")  # the other open request
    page.wait_for_function(f"() => location.href !== {before!r}")
    page.wait_for_selector("#conversation .turn")
