"""Proof against the oracle: the official `anthropic` SDK's own stream accumulation.

Each stream's bytes are served to a real `anthropic.Anthropic` client through an in-memory
transport; `messages.stream(...).get_final_message()` is what the SDK builds. Our parser and
accumulator must build the same Message from the same bytes.

Known, documented difference (MESSAGES_API.md §7.6 step 5): the 2.x SDK writes
`stop_details = None` even when the stream never mentions it (older models); we only copy
what was sent. `sdk_final` drops that one key when the stream never carried it.
"""

from __future__ import annotations

import anthropic
import httpx2  # the transport package the installed SDK is built on
import pytest

from playground.contract.accumulate import accumulate
from playground.contract.events import message_to_sse
from playground.contract.sse import parse_all
from tests.conftest import all_captures, load_capture

STREAMED = [n for n in all_captures() if load_capture(n).get("response_sse")]
NONSTREAM = [
    n for n in all_captures()
    if (load_capture(n).get("response_body") or {}).get("type") == "message"
]


def sdk_final(body: bytes) -> dict:
    def handler(request):
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with httpx2.Client(transport=httpx2.MockTransport(handler)) as http:
        client = anthropic.Anthropic(api_key="sk-test", base_url="http://oracle.test", http_client=http, max_retries=0)
        with client.messages.stream(model="claude-x", max_tokens=16, messages=[{"role": "user", "content": "hi"}]) as stream:
            message = stream.get_final_message().to_dict()
    if b"stop_details" not in body and message.get("stop_details") is None:
        message.pop("stop_details", None)
    return message


def ours(body: bytes) -> dict:
    result = accumulate(parse_all(body))
    assert result.outcome == "completed"
    return result.message


@pytest.mark.parametrize("name", STREAMED)
def test_it_matches_the_sdk_on_every_captured_stream(name):
    body = load_capture(name)["response_sse"].encode()
    assert ours(body) == sdk_final(body)


@pytest.mark.parametrize("name", STREAMED)
@pytest.mark.parametrize("eol", [b"\r\n", b"\r"])
def test_it_matches_the_sdk_with_other_line_endings(name, eol):
    body = load_capture(name)["response_sse"].encode().replace(b"\n", eol)
    assert ours(body) == sdk_final(body)


@pytest.mark.parametrize("name", NONSTREAM)
def test_it_and_the_sdk_rebuild_the_nonstream_body_from_our_stream(name):
    message = load_capture(name)["response_body"]
    body = message_to_sse(message)
    assert ours(body) == message
    assert sdk_final(body) == message
