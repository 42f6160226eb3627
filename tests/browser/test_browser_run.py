"""Compose a request with an image and a tool, run it against the simulator, see it stream in."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib

import pytest

from tests.browser.conftest import add_headers, open_composer, raw_request, recorded

pytestmark = pytest.mark.browser


def tiny_png() -> bytes:
    """A real 2x2 PNG, built here so the test needs no binary fixture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_it_composes_an_image_and_a_tool_and_streams_the_answer(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Describe this picture in a few words.")
    page.select_option("[data-testid=add-block-0]", "image")
    page.set_input_files("[data-testid=image-file]", files=[{"name": "dot.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.wait_for_selector("[data-testid=turn-0] img.thumb")
    digest = hashlib.sha256(tiny_png()).hexdigest()[:8]
    page.wait_for_selector(f"[data-testid=turn-0] .thumb-row:has-text('sha256:{digest}')")
    page.click('[data-tab="tools"]')
    page.click("[data-testid=add-tool]")
    page.fill("[data-testid=tool-name-0]", "get_weather")
    page.fill("[data-testid=tool-schema-0]", '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}')

    sent = raw_request(page)
    image = sent["messages"][0]["content"][1]
    assert image["source"] == {"type": "base64", "media_type": "image/png", "data": base64.b64encode(tiny_png()).decode()}
    assert sent["tools"][0]["name"] == "get_weather"

    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=response] .text-out")
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')")
    text = page.text_content("[data-testid=response] .response-blocks")
    assert "Describe this picture" in text  # the simulator quotes the task
    status = page.text_content("[data-testid=run-status]")
    assert "TTFT" in status and "stop_reason end_turn" in status and "cost" in status
    href = page.get_attribute("[data-testid=exchange-link]", "href")
    public_id = href.strip("/").split("/")[-1]
    exchange = recorded(public_id)
    assert exchange.team.name == "acme" and exchange.outcome == "completed"
    assert exchange.request_body["tools"][0]["name"] == "get_weather"
    # Works at 1280 px without horizontal scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert page.errors == []


def test_it_renders_deltas_as_they_arrive(page_for, alice):
    page = open_composer(page_for(alice))
    page.fill("[data-testid=turn-0] textarea.text-input", "Tell me a long story.")
    add_headers(page, {"x-sim-delay-ms": "15", "x-sim-output-tokens": "120"})
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=response] .streaming-block .text-out")
    # Seen mid-stream: some text, not yet finished.
    partial = page.text_content("[data-testid=response] .response-blocks")
    assert page.text_content("[data-testid=run-outcome]") == "streaming"
    page.wait_for_selector("[data-testid=run-outcome]:text-is('completed')", timeout=30_000)
    final = page.text_content("[data-testid=response] .response-blocks")
    assert len(final) > len(partial)
