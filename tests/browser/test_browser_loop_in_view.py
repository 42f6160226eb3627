"""A long auto-run on a wide screen (1440 px): the live step stays in view in the pinned
response, and scrolling up to edit the conversation meanwhile is never undone: the page
stays where the user took it, the field keeps its focus and caret, and the edit survives
every step (the loop goes on with the conversation as it started)."""

from __future__ import annotations

import pytest

from playground.composer import workcopies
from playground.teams.models import Team
from tests.browser.conftest import open_composer, raw_request, recorded

pytestmark = pytest.mark.browser

TOOLS = [f"tool_{c}" for c in "abcdefghijkl"]
LIVE_STEP_IN_VIEW = """() => { const steps = document.querySelectorAll('.loop-step');
  const r = steps[steps.length - 1].getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.top < window.innerHeight - 40; }"""
STEPS = "() => document.querySelectorAll('.loop-step').length"


def long_loop(alice) -> None:
    messages = []
    for i in range(14):
        messages.append({"role": "user", "content": [{"type": "text", "text": f"Question {i}\n" + "detail line\n" * 6}]})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": f"Answer {i}\n" + "more words\n" * 6}]})
    # A chain: the simulator calls one tool per step, in this order.
    messages.append({"role": "user", "content": [{"type": "text", "text": "Use " + ", then ".join(TOOLS) + "."}]})
    tools = [{"name": n, "description": n, "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}}}
             for n in TOOLS]
    state = {
        "request": {"model": "sim-1", "max_tokens": 4000, "messages": messages, "tools": tools},
        "headers": {"anthropic-version": "2023-06-01", "x-sim-delay-ms": "150"},
        "mocks": {n: {"type": "static", "value": {"ok": n}} for n in TOOLS},
    }
    workcopies.open_working_copy(alice, Team.objects.get(name="acme"), state, "Long loop")


def test_the_live_step_stays_in_view_and_editing_is_not_undone(page_for, alice):
    long_loop(alice)
    page = open_composer(page_for(alice, viewport=(1440, 900)))
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=tool-calls]")
    page.fill("[aria-label='max steps']", "20")
    page.click("[data-testid=autorun]")

    for n in (2, 3, 4):
        page.wait_for_function(f"() => ({STEPS})() >= {n}")
        assert page.evaluate(LIVE_STEP_IN_VIEW), f"step {n} is out of view"

    # Scroll up to the first turn and edit it while the loop goes on.
    page.evaluate("() => window.scrollTo(0, 0)")
    first = page.locator("[data-testid=turn-0] textarea.text-input")
    first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" (edited)")
    at = page.evaluate(STEPS)
    for n in (at + 1, at + 2):
        page.wait_for_function(f"() => ({STEPS})() >= {n}")
        assert page.evaluate(LIVE_STEP_IN_VIEW), f"step {n} is out of view"
    assert page.evaluate("() => window.scrollY") == 0
    assert page.evaluate("() => document.activeElement.closest('[data-testid=turn-0]') !== null")
    page.keyboard.type("!")
    assert first.input_value().endswith("(edited)!")

    page.wait_for_selector("[data-testid=loop-end]", timeout=120_000)
    assert "ended its turn" in page.text_content("[data-testid=loop-end]")
    in_view = "() => { const r = document.querySelector('[data-testid=loop-end]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"
    assert page.evaluate(in_view)
    assert page.evaluate("() => window.scrollY") == 0
    request = raw_request(page)
    assert request["messages"][0]["content"][0]["text"].endswith("(edited)!")
    assert len(request["messages"]) > 29  # the loop's turns are in the form too
    # The loop itself went on with the conversation as it started.
    links = page.locator(".loop-step [data-testid=exchange-link]")
    last = links.nth(links.count() - 1).get_attribute("href").strip("/").split("/")[-1]
    sent = recorded(last).request_body["messages"][0]["content"][0]["text"]
    assert "(edited)" not in sent
