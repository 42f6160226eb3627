"""Contract findings show next to the block they concern; bad input stays inline and unsent."""

from __future__ import annotations

import base64
import os

import pytest

from playground.composer import workcopies
from playground.recording.models import Exchange
from playground.teams.models import Team
from tests.browser.conftest import open_composer, raw_request

pytestmark = pytest.mark.browser

ORPHAN = {
    "request": {
        "model": "sim-1",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_missing", "content": "42"}]},
        ],
    },
    "provider": None,
    "headers": {"anthropic-version": "2023-06-01"},
    "mocks": {},
}


def test_a_tool_result_without_its_tool_use_is_flagged_on_its_block(page_for, alice):
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), ORPHAN)
    page = open_composer(page_for(alice))
    note = page.wait_for_selector('[data-path="messages[2].content[0]"] .finding-error')
    assert "toolu_missing" in note.text_content()
    assert page.query_selector('[data-path="messages[0].content[0]"] .finding-inline') is None
    page.click('[data-tab="findings"]')
    assert "toolu_missing" in page.text_content("#findings-list")
    page.click("#findings-list li")  # goes to the block and highlights it
    page.wait_for_selector('[data-path="messages[2].content[0]"].highlight')


def test_sending_a_rejected_request_needs_a_second_click_and_shows_the_apis_error(page_for, alice):
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), ORPHAN)
    page = open_composer(page_for(alice))
    page.wait_for_selector('[data-path="messages[2].content[0]"] .finding-error')
    before = Exchange.objects.count()
    page.click("[data-testid=run]")
    warning = page.wait_for_selector("#send-warning:not([hidden])")
    assert "validator rejects this request" in warning.text_content()
    assert page.query_selector("[data-testid=response]") is None  # nothing sent yet
    assert Exchange.objects.count() == before
    page.click("[data-testid=send-anyway]")
    error = page.wait_for_selector("[data-testid=response] .run-error:not([hidden])")
    assert "invalid_request_error" in error.text_content()
    assert "toolu_missing" in error.text_content()  # in the API's (here the simulator's) words


def test_an_oversize_image_is_refused_inline(page_for, alice):
    page = open_composer(page_for(alice))
    page.select_option("[data-testid=add-block-0]", "image")
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(4 * 1024 * 1024)  # over 5 MB once base64-encoded
    page.set_input_files("[data-testid=image-file]", files=[{"name": "big.png", "mimeType": "image/png", "buffer": big}])
    error = page.wait_for_selector("[data-testid=turn-0] .media-error")
    assert "over the API's 5 MB limit" in error.text_content()
    image = raw_request(page)["messages"][0]["content"][1]
    assert image["source"]["data"] == ""  # refused, not half-added
    assert len(base64.b64encode(big)) > 5 * 1024 * 1024


def test_an_invalid_schema_is_flagged_and_broken_json_is_kept_as_typed(page_for, alice):
    page = open_composer(page_for(alice))
    page.click('[data-tab="tools"]')
    page.click("[data-testid=add-tool]")
    page.fill("[data-testid=tool-schema-0]", '{"type": "object", "properties": {"a": {"type": 12}}}')
    note = page.wait_for_selector('[data-path="tools[0].input_schema"] .finding-error')
    assert "JSON Schema" in note.text_content()
    broken = '{"type": "object", "properties": '
    page.fill("[data-testid=tool-schema-0]", broken)
    page.wait_for_selector("[data-testid=tool-schema-0] + .field-error:not([hidden])")
    assert page.input_value("[data-testid=tool-schema-0]") == broken
    assert raw_request(page)["tools"][0]["input_schema"]["properties"] == {"a": {"type": 12}}
    # A structural change elsewhere redraws the form; the broken text survives it.
    page.click('[data-tab="tools"]')
    page.click("[data-testid=add-tool]")
    page.wait_for_selector("[data-testid=tool-schema-1]")
    assert page.input_value("[data-testid=tool-schema-0]") == broken
    assert page.is_visible("[data-testid=tool-schema-0] + .field-error")


def test_parameters_the_model_rejects_are_flagged(page_for, alice):
    state = {
        "request": {
            "model": "claude-sonnet-5",
            "max_tokens": 100,
            "temperature": 0.5,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Sure"}]},
            ],
        },
    }
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), state)
    page = open_composer(page_for(alice))
    assert "model-rejects" in page.get_attribute("#top-temperature", "class")
    note = page.wait_for_selector('label[data-path="temperature"] .finding-error')
    assert "deprecated for this model" in note.text_content()
    prefill = page.text_content("[data-testid=turn-1] .chip.prefill")
    assert "rejects a final assistant turn" in prefill
    assert "(not for claude-sonnet-5)" in page.text_content("#top-thinking option[value=enabled]")
    page.fill("#top-max-tokens", "200000")  # over the model's 128,000 output tokens
    assert "model-rejects" in page.get_attribute("[data-testid=panel-max-tokens]", "class")
    # Switching to the simulator clears the flags.
    page.select_option("#model-picker", "|sim-1")
    assert "model-rejects" not in page.get_attribute("#top-temperature", "class")
