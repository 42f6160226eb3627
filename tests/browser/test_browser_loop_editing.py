"""Tool-loop editing: append the turns without running, answer by hand, branch from an earlier
turn; the page's mock rendering matches the server's; a mid-stream error shows what arrived."""

from __future__ import annotations

import json

import pytest

from playground.composer.mocks import render_mock
from tests.browser.conftest import add_headers, add_tools, open_composer, raw_request

pytestmark = pytest.mark.browser


def test_append_only_prepares_a_tool_result_for_every_call_to_fill_by_hand(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Use get_weather and get_time.")
    add_tools(page, ("get_weather", "get_time"))
    page.click("[data-testid=run]")
    panel = page.wait_for_selector("[data-testid=tool-calls]")
    assert "no mock" in panel.text_content()
    page.fill("[data-testid=tool-result-get_weather]", "sunny")
    page.fill("[data-testid=tool-result-get_time]", "noon")
    page.click("[data-testid=append-only]")
    page.wait_for_selector("[data-testid=turn-2]")
    request = raw_request(page)
    calls = [b for b in request["messages"][1]["content"] if b["type"] == "tool_use"]
    assert [c["name"] for c in calls] == ["get_weather", "get_time"]
    results = request["messages"][2]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [(calls[0]["id"], "sunny"), (calls[1]["id"], "noon")]
    assert page.query_selector("[data-testid=run-outcome]:text-is('streaming')") is None  # nothing ran


def test_run_from_here_branches_from_an_earlier_turn(page_for, alice):
    page = open_composer(page_for(alice))
    body = raw_request(page)
    body["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": "First question"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "First answer"}]},
        {"role": "user", "content": [{"type": "text", "text": "Second question"}]},
    ]
    page.click('[data-tab="raw"]')
    page.fill("#raw-json", json.dumps(body))
    page.wait_for_selector("[data-testid=turn-2]")
    page.fill("[data-testid=turn-0] textarea.text-input", "Edited first question")
    page.click("[data-testid=turn-0] button[title^='Branch']")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    assert page.query_selector("[data-testid=turn-1]") is None
    assert "Edited first question" in page.text_content("[data-testid=response] .response-blocks")
    page.click("#undo-button")  # the dropped turns come back
    page.wait_for_selector("[data-testid=turn-2]")
    assert raw_request(page)["messages"][2]["content"][0]["text"] == "Second question"


@pytest.mark.parametrize(
    ("mock", "tool_input"),
    [
        ({"type": "template", "template": '{"city": "{{input.city}}", "n": {{input.n}}, "x": "{{input.nope}}"}'}, {"city": 'Pa"ris\n', "n": 3}),
        ({"type": "template", "template": "all: {{input}} / {{ input.list.1 }}"}, {"list": ["a", {"b": 1}]}),
        ({"type": "static", "value": {"temp_c": 21, "ok": True}}, {}),
        ({"type": "static", "value": "plain text"}, {}),
    ],
)
def test_the_page_renders_mocks_like_the_server(page_for, alice, mock, tool_input):
    page = open_composer(page_for(alice))
    rendered = page.evaluate(
        "async ([m, i]) => (await import('/static/composer/toolloop.js')).renderMock(m, i)", [mock, tool_input]
    )
    assert rendered == render_mock(mock, tool_input)


def test_an_error_mid_stream_shows_what_arrived_and_the_error(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Say something long.")
    add_headers(page, {"x-sim-fault": "error_mid_stream"})
    page.click("[data-testid=run]")
    error = page.wait_for_selector("[data-testid=response] .run-error:not([hidden])")
    # The stream's error event shows at once; the outcome follows with run.finished.
    page.wait_for_selector("[data-testid=run-outcome]:not(:text-is('streaming'))")
    assert page.text_content("[data-testid=run-outcome]") == "error_mid_stream"
    assert "error" in error.text_content()
    assert page.text_content("[data-testid=response] .response-blocks").strip()  # what arrived stays
