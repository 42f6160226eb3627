"""The raw JSON view and the form follow each other, and the draft survives a reload."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import open_composer, raw_request

pytestmark = pytest.mark.browser


def test_the_form_and_the_raw_view_follow_each_other(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "typed in the form")
    assert raw_request(page)["messages"][0]["content"][0]["text"] == "typed in the form"

    body = raw_request(page)
    body["messages"].append({"role": "assistant", "content": [{"type": "text", "text": "from raw"}]})
    body["max_tokens"] = 77
    page.click('[data-tab="raw"]')
    page.fill("#raw-json", json.dumps(body, indent=2))
    page.wait_for_selector("[data-testid=turn-1]")
    assert page.input_value("[data-testid=turn-1] textarea.text-input") == "from raw"
    assert page.input_value("#top-max-tokens") == "77"


def test_malformed_raw_json_is_an_inline_error_and_loses_nothing(page_for, alice):
    page = open_composer(page_for(alice))
    before = raw_request(page)
    page.click('[data-tab="raw"]')
    broken = '{"model": "sim-1", "max_tokens": 5,,}'
    page.fill("#raw-json", broken)
    error = page.wait_for_selector("#raw-error:not([hidden])")
    assert "Invalid JSON" in error.text_content()
    assert page.input_value("#raw-json") == broken  # the text stays as typed
    assert page.input_value("#top-max-tokens") == str(before["max_tokens"])  # the form is untouched


def test_the_draft_survives_a_reload(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "still here after a reload")
    page.fill("#top-max-tokens", "512")
    page.wait_for_selector("#save-state:text-is('draft saved')")
    page.reload()
    page.wait_for_selector("#conversation .turn")
    assert page.input_value("[data-testid=turn-0] textarea.text-input") == "still here after a reload"
    assert page.input_value("#top-max-tokens") == "512"


def test_blocks_move_by_drag_and_by_menu(page_for, alice):
    page = open_composer(page_for(alice))
    body = raw_request(page)
    body["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "C"}]},
    ]
    page.click('[data-tab="raw"]')
    page.fill("#raw-json", json.dumps(body))
    page.wait_for_selector("[data-testid=turn-1]")
    # Drag B onto C: B moves into the assistant turn, before C.
    page.drag_and_drop('[data-path="messages[0].content[1]"] .handle', '[data-path="messages[1].content[0]"]')
    texts = lambda: [[b["text"] for b in m["content"]] for m in raw_request(page)["messages"]]  # noqa: E731
    assert texts() == [["A"], ["B", "C"]]
    page.click('[data-path="messages[1].content[0]"] button[title="Move down"]')
    assert texts() == [["A"], ["C", "B"]]
    page.click('[data-path="messages[0].content[0]"] button[title="Duplicate"]')
    assert texts() == [["A", "A"], ["C", "B"]]
    page.select_option("[data-testid=turn-1] select.role", "user")
    assert [m["role"] for m in raw_request(page)["messages"]] == ["user", "user"]
