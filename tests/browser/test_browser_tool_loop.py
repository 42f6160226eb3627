"""A two-step tool loop with a mock: Continue by hand, then Auto-run to end_turn."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import add_tools, open_composer, raw_request, recorded, screenshot

pytestmark = pytest.mark.browser

SCHEMA = '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}'


def compose_weather_question(page):
    page.fill("[data-testid=turn-0] textarea.text-input", "What's the weather in Paris? Use get_weather.")
    page.click('[data-tab="tools"]')
    page.click("[data-testid=add-tool]")
    page.fill("[data-testid=tool-name-0]", "get_weather")
    page.press("[data-testid=tool-name-0]", "Tab")
    page.fill("[data-testid=tool-schema-0]", SCHEMA)
    page.select_option("[data-testid=mock-type-get_weather]", "template")
    page.fill("[data-testid=mock-value-get_weather]", '{"city": "{{input.city}}", "temp_c": 21}')


def test_it_completes_a_two_step_tool_loop_with_a_mock(page_for, alice):
    page = open_composer(page_for(alice))
    compose_weather_question(page)
    # Thinking on: the assistant turn must go back with its signed thinking block first.
    page.fill("#top-max-tokens", "4096")
    page.select_option("#top-thinking", "enabled")
    assert page.input_value("#top-budget") == "2048"
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=tool-calls]")
    link = page.get_attribute("[data-testid=exchange-link]", "href")
    first = recorded(link.strip("/").split("/")[-1])
    call = next(b for b in first.message["content"] if b["type"] == "tool_use")
    prefilled = page.input_value("[data-testid=tool-result-get_weather]")
    assert json.loads(prefilled) == {"city": call["input"]["city"], "temp_c": 21}

    page.click("[data-testid=continue]")
    page.wait_for_selector("[data-testid=turn-2]")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    page.wait_for_selector("[data-testid=run-status]:has-text('stop_reason end_turn')")

    request = raw_request(page)
    assistant, answer = request["messages"][1], request["messages"][2]
    assert assistant == {"role": "assistant", "content": first.message["content"]}  # exactly as returned
    assert assistant["content"][0]["type"] == "thinking" and assistant["content"][0]["signature"]
    assert answer["role"] == "user"
    assert answer["content"] == [{"type": "tool_result", "tool_use_id": call["id"], "content": prefilled}]
    assert "21" in page.text_content("[data-testid=response] .response-blocks")  # the answer quotes the result
    page.click('[data-tab="tools"]')
    assert screenshot(page, "tool-loop.png", height=1560).stat().st_size > 10_000
    assert page.errors == []


def test_auto_run_answers_from_the_mocks_until_end_turn(page_for, alice):
    page = open_composer(page_for(alice))
    compose_weather_question(page)
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=tool-calls]")
    page.click("[data-testid=autorun]")
    end = page.wait_for_selector("[data-testid=loop-end]")
    assert "the model ended its turn" in end.text_content()
    request = raw_request(page)
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]  # ready for the next turn
    assert request["messages"][2]["content"][0]["type"] == "tool_result"
    assert request["messages"][3]["content"][-1]["type"] == "text"
    assert request["messages"][4]["content"] == [{"type": "text", "text": ""}]


def test_auto_run_stops_at_a_tool_without_a_mock_and_asks_for_its_answer(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Use get_weather, then get_time.")
    add_tools(page, ("get_weather", "get_time"))
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=tool-result-get_weather]")
    page.fill("[data-testid=tool-result-get_weather]", "sunny")  # answered by hand
    page.click("[data-testid=autorun]")
    end = page.wait_for_selector("[data-testid=loop-end]")
    assert "a tool has no mock" in end.text_content() and "get_time" in end.text_content()
    page.wait_for_selector("[data-testid=tool-result-get_time]")  # its answer is asked for
    page.fill("[data-testid=tool-result-get_time]", "noon")
    page.click("[data-testid=continue]")
    page.wait_for_selector("[data-testid=run-status]:has-text('stop_reason end_turn')")
    request = raw_request(page)
    answers = [b for m in request["messages"] if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    assert [a["content"] for a in answers] == ["sunny", "noon"]
