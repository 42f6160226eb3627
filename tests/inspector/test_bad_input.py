"""Hostile and broken recordings still render: big media summarized, broken streams flagged."""

from __future__ import annotations

import base64
import hashlib
import os

from tests.inspector.recorded import record

STREAM_HEAD = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message",'
    b'"role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,'
    b'"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
)


def _delta(text: bytes) -> bytes:
    return (b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
            b'"delta":{"type":"text_delta","text":"' + text + b'"}}\n\n')


STREAM_TAIL = (
    b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn",'
    b'"stop_sequence":null},"usage":{"output_tokens":3}}\n\n'
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)
BODY = {"model": "claude-haiku-4-5", "max_tokens": 50, "stream": True,
        "messages": [{"role": "user", "content": "hello"}]}


def test_it_records_and_renders_a_32_mb_request_with_a_20_mb_pdf(client, alice):
    pdf = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    data = base64.b64encode(pdf).decode()
    body = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": data}},
        {"type": "text", "text": "Summarize the PDF. " + "pad " * (1024 * 1024)},
    ]}]}
    reply = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
             "content": [{"type": "text", "text": "A PDF."}], "stop_reason": "end_turn",
             "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 3}}
    exchange = record(alice, body, response=reply)
    assert exchange.request_size > 28 * 1024 * 1024
    client.force_login(alice)
    for tab in ("conversation", "request"):
        response = client.get(f"{exchange.get_absolute_url()}?tab={tab}")
        html = response.content.decode()
        assert response.status_code == 200
        assert "[application/pdf 20.0 MB sha256:" in html
        assert data[:1000] not in html
        assert len(html) < 2 * 1024 * 1024
    raw = client.get(f"{exchange.get_absolute_url()}raw/request.json")
    assert data[:1000] in b"".join(raw.streaming_content if raw.streaming else [raw.content]).decode()


def test_it_thumbnails_images_for_the_team_only(client, alice, bob):
    png = bytes.fromhex("89504e470d0a1a0a") + os.urandom(40_000)
    body = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": base64.b64encode(png).decode()}},
        {"type": "text", "text": "What is this?"},
    ]}]}
    exchange = record(alice, body, status=400, response={"type": "error", "error": {
        "type": "invalid_request_error", "message": "Could not process image"}})
    sha = hashlib.sha256(png).hexdigest()
    client.force_login(alice)
    html = client.get(exchange.get_absolute_url()).content.decode()
    assert f"/exchanges/{exchange.public_id}/media/{sha}/" in html
    assert "[image/png 39.1 KB sha256:" in html
    media = client.get(f"/exchanges/{exchange.public_id}/media/{sha}/")
    assert media.status_code == 200
    assert media["Content-Type"] == "image/png"
    assert media.content == png
    client.force_login(bob)
    assert client.get(f"/exchanges/{exchange.public_id}/media/{sha}/").status_code == 404


def test_it_flags_a_broken_stream_and_still_renders(client, alice):
    sse = (
        STREAM_HEAD
        + _delta(b"caf\xe9 ok")  # not UTF-8
        + b'event: content_block_delta\ndata: {"type":"content_block_delta", not json\n\n'
        + STREAM_TAIL
        + _delta(b"after the end")
        + b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0'  # cut
    )
    exchange = record(alice, BODY, sse=sse, response_headers={"content-type": "text/event-stream"})
    client.force_login(alice)
    response = client.get(f"{exchange.get_absolute_url()}?tab=timeline")
    html = response.content.decode()
    assert response.status_code == 200
    for flag in ("non-UTF-8 bytes", "invalid JSON", "after message_stop", "unterminated"):
        assert flag in html, flag
    for tab in ("conversation", "response", "findings"):
        assert client.get(f"{exchange.get_absolute_url()}?tab={tab}").status_code == 200
    sse_raw = client.get(f"{exchange.get_absolute_url()}raw/response.sse")
    assert sse_raw.status_code == 200
    assert b"after the end" in sse_raw.content


def test_it_renders_a_body_that_is_not_json(client, alice):
    exchange = record(alice, b"\xff\xfe not json {", status=400, response=b"<html>bad gateway</html>")
    client.force_login(alice)
    for tab in ("conversation", "request", "response", "timeline", "cache", "findings", "headers"):
        response = client.get(f"{exchange.get_absolute_url()}?tab={tab}")
        assert response.status_code == 200, tab
    html = client.get(f"{exchange.get_absolute_url()}?tab=response").content.decode()
    assert "&lt;html&gt;bad gateway&lt;/html&gt;" in html
