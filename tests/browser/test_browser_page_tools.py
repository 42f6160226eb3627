"""Get code, the shortcuts list, and the send check on the request as it is at Run time."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.browser.conftest import add_headers, open_composer, raw_request

pytestmark = pytest.mark.browser


def test_get_code_shows_the_request_as_curl_python_and_typescript(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "it's \"quoted\" $(whoami)")
    request = raw_request(page)
    page.click("#code-button")
    page.wait_for_selector("#code-dialog[open]")
    curl = page.text_content("#code-text")
    words = shlex.split(curl.replace("\\\n", " "))
    assert json.loads(words[words.index("--data-binary") + 1]) == {**request, "stream": True}
    assert "/v1/messages" in curl and "$ANTHROPIC_API_KEY" in curl
    page.click("#code-dialog [data-code=python]")
    assert "import anthropic" in page.text_content("#code-text")
    page.click("#code-dialog [data-code=typescript]")
    assert "@anthropic-ai/sdk" in page.text_content("#code-text")
    page.click("#code-close")
    assert page.query_selector("#code-dialog[open]") is None


def test_question_mark_lists_the_shortcuts(page_for, alice):
    page = open_composer(page_for(alice))
    page.click("h1")
    page.keyboard.press("?")
    dialog = page.wait_for_selector("#shortcuts-dialog[open]")
    assert "Ctrl/Cmd" in dialog.text_content() and "Esc" in dialog.text_content()


def test_run_checks_the_request_as_it_is_now(page_for, alice):
    page = open_composer(page_for(alice))
    page.wait_for_selector("#findings-list li", state="attached")
    # Break the request and run at once, before the debounced live check could answer.
    page.fill("#top-max-tokens", "-5")
    page.keyboard.press("Control+Enter")
    warning = page.wait_for_selector("#send-warning:not([hidden])")
    assert "validator rejects this request" in warning.text_content()
    assert page.query_selector("[data-testid=response]") is None


def test_get_code_carries_every_header_of_the_run(page_for, alice):
    page = open_composer(page_for(alice))
    add_headers(page, {"x-sim-delay-ms": "15", "anthropic-beta": "interleaved-thinking-2025-05-14",
                       "x-team-trace": "trace-7"})
    page.click("#code-button")
    page.wait_for_selector("#code-dialog[open]")
    assert "every header it uses" in page.text_content("[data-testid=code-note]")
    for lang in ("curl", "python", "typescript"):
        page.click(f"#code-dialog [data-code={lang}]")
        code = page.text_content("#code-text")
        for header in ("x-sim-delay-ms", "interleaved-thinking-2025-05-14", "x-team-trace"):
            assert header in code, (lang, header)
