"""The code editor over the composer's JSON boxes (CodeMirror 6, vendored): highlighting,
line numbers, folding, parse errors marked at their line, schema keywords completed, and
the form following what is typed in the editor."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_composer, raw_request

pytestmark = pytest.mark.browser


def raw_editor(page):
    page.click('[data-tab="raw"]')
    editor = page.locator("#panel-raw .code-editor .cm-editor")
    expect(editor).to_be_visible()
    return editor


def test_the_raw_view_is_a_code_editor_that_drives_the_form(page_for, alice):
    page = open_composer(page_for(alice))
    editor = raw_editor(page)
    expect(editor.locator(".cm-lineNumbers")).to_be_visible()
    expect(editor.locator(".cm-foldGutter")).to_be_visible()
    expect(editor.locator(".cm-content")).to_contain_text('"max_tokens"')
    # Highlighted: property names are their own spans.
    assert editor.locator(".cm-content span").count() > 3

    body = raw_request(page)
    body["max_tokens"] = 321
    editor = raw_editor(page)
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(json.dumps(body, indent=2))
    expect(page.locator("#top-max-tokens")).to_have_value("321")


def test_a_parse_error_is_marked_at_its_line(page_for, alice):
    page = open_composer(page_for(alice))
    editor = raw_editor(page)
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text('{\n  "model": "sim-1",\n  "max_tokens": 5,,\n  "messages": []\n}')
    marker = editor.locator(".cm-gutter-lint .cm-gutterElement:has(.cm-lint-marker-error)")
    expect(marker).to_have_count(1)
    line_top = marker.bounding_box()["y"]
    third_line = editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="3").bounding_box()["y"]
    assert abs(line_top - third_line) < 4
    expect(page.locator("#raw-error")).to_contain_text("Invalid JSON")


def test_schema_keywords_are_completed(page_for, alice):
    page = open_composer(page_for(alice))
    page.click('[data-tab="tools"]')
    page.click("[data-testid=add-tool]")
    schema = page.locator(".code-editor:has(+ [data-testid=tool-schema-0]) .cm-content")
    expect(schema).to_be_visible()
    schema.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text('{"type": "object", "properties": {}, ')
    page.keyboard.type('"requ')
    option = page.locator(".cm-tooltip-autocomplete li", has_text='"required"')
    expect(option).to_be_visible()
    option.click()
    page.keyboard.type('["city"]}')
    expect(page.locator("[data-testid=tool-schema-0]")).to_have_value(
        re.compile(r'^\{"type": "object", "properties": \{\}, "required": \["city"\]\}\s*$')
    )
    assert raw_request(page)["tools"][0]["input_schema"]["required"] == ["city"]


def test_an_empty_optional_box_is_not_marked_as_broken(page_for, alice):
    page = open_composer(page_for(alice))
    # output_config.format is empty (not sent): no parse error in its gutter.
    editor = page.locator(".code-editor:has(+ [data-bind='output_config.format']) .cm-editor")
    expect(editor).to_be_visible()
    marker = editor.locator(".cm-gutter-lint .cm-gutterElement:has(.cm-lint-marker-error)")
    editor.locator(".cm-content").click()
    page.keyboard.insert_text("nope")
    expect(marker).to_have_count(1)  # the linter runs on this box
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    expect(marker).to_have_count(0)
