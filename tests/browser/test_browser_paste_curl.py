"""Pasting a curl command fills the form: turns, model, parameters and headers."""

from __future__ import annotations

import pytest

from playground.contract.codegen import to_curl
from tests.browser.conftest import open_composer, raw_request

pytestmark = pytest.mark.browser

BODY = {
    "model": "sim-1-fast",
    "max_tokens": 321,
    "temperature": 0.25,
    "system": "You answer in French.",
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Bonjour, ça va ?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Oui"}]},
    ],
}


def test_it_fills_the_form_from_a_pasted_curl_command(page_for, alice):
    page = open_composer(page_for(alice))
    command = to_curl(BODY, {"anthropic-beta": "interleaved-thinking-2025-05-14", "x-api-key": "sk-ant-secret"})
    page.click('[data-tab="raw"]')
    page.fill("[data-testid=import-text]", command)
    page.click("[data-testid=import]")
    page.wait_for_selector("[data-testid=turn-1]")
    assert page.input_value("[data-testid=turn-0] textarea.text-input") == "Bonjour, ça va ?"
    assert page.input_value("#model-picker") == "|sim-1-fast"
    assert page.input_value("#top-max-tokens") == "321"
    assert page.input_value("#top-temperature") == "0.25"
    assert raw_request(page) == BODY
    page.click('[data-tab="headers"]')
    assert page.input_value('[data-header="anthropic-beta"]') == "interleaved-thinking-2025-05-14"
    assert "sk-ant-secret" not in page.content()
    assert page.errors == []


def test_a_broken_paste_is_an_inline_error_and_keeps_the_form(page_for, alice):
    page = open_composer(page_for(alice))
    before = raw_request(page)
    page.click('[data-tab="raw"]')
    page.fill("[data-testid=import-text]", "curl https://api.anthropic.com/v1/messages -d @body.json")
    page.click("[data-testid=import]")
    error = page.wait_for_selector("#import-error:not([hidden])")
    assert "read from a file" in error.text_content()
    assert page.input_value("[data-testid=import-text]").startswith("curl")  # nothing typed is lost
    assert raw_request(page) == before
