"""Tool loops without traps: an empty block the user has not reached is not an error yet,
auto-run never answers a tool in the user's name, and a finished loop waits for the next
user turn."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.composer.management.commands.load_demo import demo_state
from playground.teams.models import Team
from tests.browser.conftest import add_tools, open_composer, raw_request

pytestmark = pytest.mark.browser

EMPTY = "[data-testid=turn-0] .finding-error"


def checked(page) -> int:
    return int(page.get_attribute("#findings-list", "data-checked") or 0)


def wait_for_a_fresh_check(page, after: int) -> None:
    """Wait until the validator has answered a check that started after `after`."""
    page.wait_for_function(f"() => Number(document.querySelector('#findings-list').dataset.checked || 0) > {after}")


def open_new(page):
    page.wait_for_selector("#findings-list[data-checked]", state="attached")
    page.click("#new-button")
    # New opens a new page: its first check is the one for the empty block.
    page.wait_for_function("() => document.querySelector('[data-testid=turn-0] textarea.text-input')?.value === ''"
                           " && document.querySelector('#findings-list[data-checked]')")


def test_new_shows_no_empty_finding_until_the_box_loses_focus(page_for, alice):
    page = open_composer(page_for(alice))
    open_new(page)
    assert page.query_selector(EMPTY) is None
    assert "non-empty" not in page.text_content("#findings-list")
    page.focus("[data-testid=turn-0] textarea.text-input")
    page.click('[data-tab="findings"]')  # the box loses focus, still empty
    note = page.wait_for_selector(EMPTY)
    assert "non-empty" in note.text_content()


def test_run_shows_the_empty_block_finding(page_for, alice):
    page = open_composer(page_for(alice))
    open_new(page)
    page.click("[data-testid=run]")
    page.wait_for_selector("#send-warning:not([hidden])")
    assert "non-empty" in page.text_content(EMPTY)


def test_appending_a_reply_adds_an_empty_turn_without_an_error(page_for, alice):
    page = open_composer(page_for(alice))
    page.click("[data-testid=run]")
    page.click("[data-testid=append-reply]")
    page.wait_for_selector("[data-testid=turn-2]")
    wait_for_a_fresh_check(page, checked(page))
    assert page.query_selector("[data-testid=turn-2] .finding-error") is None
    assert "non-empty" not in page.text_content("#findings-list")


def test_the_demos_first_screen_shows_no_error(page_for, alice):
    request = {"model": "sim-1", "max_tokens": 100, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
    ]}
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), demo_state(request))
    page = open_composer(page_for(alice))
    page.wait_for_selector("[data-testid=turn-2]")
    page.wait_for_selector("#findings-list[data-checked]", state="attached")
    assert page.query_selector(".finding-error") is None
    assert page.query_selector(".chip.prefill") is None


def test_auto_run_does_not_send_an_empty_result_for_a_tool_without_a_mock(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Use get_weather.")
    add_tools(page, ("get_weather",))
    page.click("[data-testid=run]")
    box = page.wait_for_selector("[data-testid=tool-result-get_weather]")
    shown = page.wait_for_selector("[data-testid=tool-input-get_weather]")
    # The tool's input sits beside the box that asks for its result.
    a, b = shown.bounding_box(), box.bounding_box()
    assert abs(a["y"] - b["y"]) < a["height"] + 40 and a["x"] < b["x"]
    before = len(raw_request(page)["messages"])
    page.click("[data-testid=autorun]")
    problem = page.wait_for_selector("[data-testid=tool-result-missing]:not([hidden])")
    assert "get_weather" in problem.text_content()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "tool-result-get_weather"
    assert page.query_selector("[data-testid=loop-end]") is None
    assert len(raw_request(page)["messages"]) == before  # nothing appended, nothing sent
