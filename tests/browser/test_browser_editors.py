"""The block editors write exactly the block shapes the contract describes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_composer, raw_request

pytestmark = pytest.mark.browser


def test_system_blocks_documents_and_search_results(page_for, alice):
    page = open_composer(page_for(alice))
    # System prompt as text blocks, the first one a cache breakpoint with a 1h TTL.
    page.click("details.system > summary")
    page.select_option("details.system select[aria-label='system form']", "blocks")
    page.fill('[data-path="system[0]"] textarea', "You are terse.")
    page.check('[data-path="system[0]"] input[aria-label=cache_control]')
    page.select_option('[data-path="system[0]"] select[aria-label="cache ttl"]', "1h")
    assert page.text_content("#breakpoints") == "cache breakpoints: 1 / 4"

    page.select_option("[data-testid=add-block-0]", "document")
    doc = '[data-path="messages[0].content[1]"]'
    page.fill(f"{doc} textarea[aria-label='document text']", "The sky is blue.")
    page.fill(f"{doc} input[aria-label=title]", "Facts")
    page.check(f"{doc} input[aria-label=citations]")

    page.select_option("[data-testid=add-block-0]", "search_result")
    sr = '[data-path="messages[0].content[2]"]'
    page.fill(f"{sr} input[aria-label=source]", "https://example.com/a")
    page.fill(f"{sr} input[aria-label=title]", "A page")
    page.fill(f"{sr} textarea", '[{"type": "text", "text": "snippet"}]')

    request = raw_request(page)
    assert request["system"] == [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    ]
    assert request["messages"][0]["content"][1:] == [
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "The sky is blue."},
            "title": "Facts",
            "citations": {"enabled": True},
        },
        {
            "type": "search_result",
            "source": "https://example.com/a",
            "title": "A page",
            "content": [{"type": "text", "text": "snippet"}],
        },
    ]


def test_tool_result_blocks_and_read_only_response_blocks(page_for, alice):
    page = open_composer(page_for(alice))
    body = raw_request(page)
    body["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": "go"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                {"type": "tool_use", "id": "toolu_A", "name": "lookup", "input": {"k": 1}},
            ],
        },
        {"role": "user", "content": []},
    ]
    import json

    page.click('[data-tab="raw"]')
    page.fill("#raw-json", json.dumps(body))
    page.wait_for_selector("[data-testid=turn-2]")
    # Read-only blocks carry no editable field and no cache toggle where the API has none.
    assert page.query_selector('[data-path="messages[1].content[0]"] textarea') is None
    assert page.query_selector('[data-path="messages[1].content[0]"] input[aria-label=cache_control]') is None
    assert "web_search" in page.text_content('[data-path="messages[1].content[1]"] pre')

    page.select_option("[data-testid=add-block-2]", "tool_result")
    block = '[data-path="messages[2].content[0]"]'
    assert page.input_value(f"{block} select[aria-label=tool_use_id]") == "toolu_A"  # the unanswered call
    page.select_option(f"{block} select[aria-label='content mode']", "blocks")
    page.fill(f"{block} textarea[aria-label='tool result blocks']", '[{"type": "text", "text": "found"}]')
    page.check(f"{block} input[aria-label=is_error]")
    result = raw_request(page)["messages"][2]["content"][0]
    assert result == {"type": "tool_result", "tool_use_id": "toolu_A", "content": [{"type": "text", "text": "found"}], "is_error": True}
    assert raw_request(page)["messages"][1] == body["messages"][1]  # untouched, exactly as given
