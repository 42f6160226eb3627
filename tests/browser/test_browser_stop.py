"""Stop a run mid-stream (Esc) and find the partial exchange recorded as client_cancelled."""

from __future__ import annotations

import pytest

from tests.browser.conftest import add_headers, open_composer, recorded

pytestmark = pytest.mark.browser


def test_esc_stops_a_slow_stream_and_the_partial_exchange_is_recorded(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Write a very long essay.")
    add_headers(page, {"x-sim-delay-ms": "40", "x-sim-output-tokens": "2000"})
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=response] .streaming-block .text-out")
    page.wait_for_selector("[data-testid=exchange-link]")
    public_id = page.get_attribute("[data-testid=exchange-link]", "href").strip("/").split("/")[-1]
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('stopped')")
    status = page.text_content("[data-testid=run-status]")
    assert "stopped by you after" in status and "out ~" in status  # how far it got, estimated
    assert page.is_hidden("[data-testid=response] .run-error")  # neutral, not an error
    shown = page.text_content("[data-testid=response] .response-blocks")
    assert shown.strip(), "what arrived stays on the page"
    assert page.is_enabled("[data-testid=run]") and not page.is_enabled("[data-testid=stop]")

    exchange = recorded(public_id)
    assert exchange.outcome == "client_cancelled"
    assert exchange.event_count > 0
    assert exchange.output_tokens is None or exchange.output_tokens < 2000
