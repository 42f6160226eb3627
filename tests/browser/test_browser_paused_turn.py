"""A server-tool turn that pauses (`stop_reason: "pause_turn"`, the simulator's
`x-sim-pause-turn` control) is continued from the composer: the paused assistant turn goes
back unchanged as the last message, as the API asks, and the answer completes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import add_headers, open_composer, raw_request, recorded

pytestmark = pytest.mark.browser

QUESTION = "Search the web for the height of the Eiffel Tower."


def exchange_id(page) -> str:
    return page.get_attribute("[data-testid=exchange-link]", "href").strip("/").split("/")[-1]


def test_a_paused_turn_continues_with_the_paused_turn_sent_back(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", QUESTION)
    add_headers(page, {"x-sim-pause-turn": "true"})
    page.click('[data-tab="params"]')
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=run-status]:has-text('stop_reason pause_turn')")

    paused = recorded(exchange_id(page))
    assert paused.stop_reason == "pause_turn"
    assert [b["type"] for b in paused.message["content"]][-1] == "server_tool_use"
    resume = page.wait_for_selector("[data-testid=resume]")
    assert resume.text_content() == "Continue the paused turn"
    assert page.query_selector("[data-testid=append-reply]") is None  # not a finished turn

    resume.click()
    page.wait_for_function(f"() => !document.querySelector('[data-testid=exchange-link]')"
                           f"?.getAttribute('href')?.includes('{paused.public_id}')")
    page.wait_for_selector("[data-testid=run-status]:has-text('stop_reason end_turn')")
    continued = recorded(exchange_id(page))

    # The continuation is the first request with the paused turn appended exactly as
    # returned (ending with its unanswered server_tool_use), and nothing after it.
    sent = paused.request_body["messages"] + [{"role": "assistant", "content": paused.message["content"]}]
    assert continued.request_body["messages"] == sent
    assert continued.outcome == "completed" and continued.stop_reason == "end_turn"
    [result] = [b for b in continued.message["content"] if b["type"] == "web_search_tool_result"]
    assert result["tool_use_id"] == paused.message["content"][-1]["id"]
    assert continued.message["content"][-1]["type"] == "text"
    assert raw_request(page)["messages"] == sent  # the form holds what was sent
    answer = page.text_content("[data-testid=response] .response-blocks")
    assert continued.message["content"][-1]["text"].strip()[:20] in answer
    assert page.errors == []
