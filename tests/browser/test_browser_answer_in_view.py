"""The answer stays in view: during a run of a long conversation the streaming response is
pinned in the window, scrolling up is not undone, the stopped result and the "Send anyway"
question appear where the user looks, and the last response survives a reload."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.teams.models import Team
from tests.browser.conftest import open_composer

pytestmark = pytest.mark.browser

IN_VIEW = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.top < window.innerHeight - 20; }"""


def long_conversation(alice, headers):
    messages = []
    for i in range(14):
        messages.append({"role": "user", "content": [{"type": "text", "text": f"Question {i}\n" + "detail line\n" * 6}]})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": f"Answer {i}\n" + "more words\n" * 6}]})
    messages.append({"role": "user", "content": [{"type": "text", "text": "Write a very long essay."}]})
    state = {"request": {"model": "sim-1", "max_tokens": 4000, "messages": messages}, "headers": {"anthropic-version": "2023-06-01", **headers}}
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), state, "Long")


def test_the_streaming_answer_stays_in_view_and_survives_a_reload(page_for, alice):
    long_conversation(alice, {"x-sim-delay-ms": "40", "x-sim-output-tokens": "2000"})
    page = open_composer(page_for(alice, viewport=(1280, 800)))
    assert page.evaluate("() => document.documentElement.scrollHeight > window.innerHeight * 2")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=response] .streaming-block .text-out")
    assert page.evaluate(IN_VIEW, "[data-testid=response] .response-blocks")
    # Scroll up to the start of the conversation while it streams: the page stays there and
    # the answer is still in view.
    page.evaluate("() => window.scrollTo(0, 0)")
    grown = page.evaluate("() => document.querySelector('[data-testid=response] .response-blocks').textContent.length")
    page.wait_for_function(f"() => document.querySelector('[data-testid=response] .response-blocks').textContent.length > {grown} + 20")
    assert page.evaluate("() => window.scrollY") == 0
    assert page.evaluate(IN_VIEW, "[data-testid=response] .response-blocks")
    # Output tokens count up while it streams.
    page.wait_for_function("() => /out ~[1-9]/.test(document.querySelector('[data-testid=run-status]').textContent)")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('stopped')")
    assert page.evaluate(IN_VIEW, "[data-testid=run-outcome]")
    shown = page.text_content("[data-testid=response] .response-blocks").strip()

    page.reload()
    page.wait_for_selector("#conversation .turn")
    restored = page.wait_for_selector("[data-testid=response][data-restored=true]")
    assert restored.query_selector(".response-blocks").text_content().strip()[:40] == shown[:40]
    assert "stopped" in restored.text_content()


def test_send_anyway_appears_in_view(page_for, alice):
    long_conversation(alice, {})
    page = open_composer(page_for(alice, viewport=(1280, 800)))
    page.locator("#conversation textarea.text-input").last.fill("")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=send-anyway]")
    assert page.evaluate(IN_VIEW, "[data-testid=send-anyway]")
