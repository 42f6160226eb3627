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
import pytest

try:  # the HTTP package the installed SDK is built on: httpx2 since 2.x, httpx before
    import httpx2
except ImportError:  # pragma: no cover
    import httpx as httpx2

from playground.contract.accumulate import accumulate
from playground.contract.events import message_to_sse
from playground.contract.sse import encode_event, parse_all
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


def sdk_partial(body: bytes) -> tuple[dict | None, Exception | None]:
    """What the SDK has built when the stream ends early or errors: (snapshot, exception)."""

    def handler(request):
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with httpx2.Client(transport=httpx2.MockTransport(handler)) as http:
        client = anthropic.Anthropic(api_key="sk-test", base_url="http://oracle.test", http_client=http, max_retries=0)
        with client.messages.stream(model="claude-x", max_tokens=16, messages=[{"role": "user", "content": "hi"}]) as stream:
            try:
                for _ in stream:
                    pass
            except anthropic.APIStatusError as exc:
                return stream.current_message_snapshot.to_dict(), exc
            return stream.current_message_snapshot.to_dict(), None


def cut_points(events) -> list[int]:
    """Event counts after which no tool input is half-streamed (the SDK shows partial JSON
    parses there, we show {} until the block stops: a documented difference)."""
    points, open_json = [], False
    for i, ev in enumerate(events, start=1):
        if ev.event == "content_block_start":
            open_json = '"input":{}' in ev.data
        elif ev.event == "content_block_stop":
            open_json = False
        if i > 1 and not open_json and ev.event != "message_stop":
            points.append(i)
    return points


@pytest.mark.parametrize("name", STREAMED)
def test_it_matches_the_sdk_on_streams_cut_early(name):
    body = load_capture(name)["response_sse"].encode()
    events = parse_all(body)
    for n in cut_points(events)[::3]:
        cut = b"".join(ev.raw for ev in events[:n])
        result = accumulate(parse_all(cut))
        assert result.outcome == "incomplete"
        snapshot, _ = sdk_partial(cut)
        if b"stop_details" not in cut:
            snapshot.pop("stop_details", None)
        assert result.message == snapshot, n


def test_it_reports_a_mid_stream_error_like_the_sdk():
    body = load_capture("04_stream_thinking_enabled_then_text.json")["response_sse"].encode()
    events = parse_all(body)
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    cut = b"".join(ev.raw for ev in events[:8]) + encode_event("error", error)
    result = accumulate(parse_all(cut))
    snapshot, exc = sdk_partial(cut)
    assert isinstance(exc, anthropic.APIStatusError)
    assert exc.body == error
    assert result.outcome == "error"
    assert result.error == error["error"]
    if b"stop_details" not in cut:
        snapshot.pop("stop_details", None)
    assert result.message == snapshot
