"""A 32 MB request with a 20 MB PDF records, stores its media once, and reads back whole."""

from __future__ import annotations

import base64
import json
import os

from playground.recording import media
from playground.recording.models import Blob, Exchange
from playground.recording.queries import get_request_body, search_exchanges
from tests.recording.helpers import record, team_of


def _big_request() -> dict:
    pdf = b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(3 * 1024 * 1024 + 512 * 1024)
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 512,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                                     "data": base64.b64encode(pdf).decode()}},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                  "data": base64.b64encode(png).decode()}},
                    {"type": "text", "text": "Summarise the contract in the PDF."},
                ],
            }
        ],
    }


def test_it_records_a_32_mb_request_with_media_summarized(alice):
    team = team_of(alice)
    body = _big_request()
    raw = json.dumps(body).encode()
    assert 30 * 1024 * 1024 < len(raw) <= 32 * 1024 * 1024
    reply = {"type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
             "content": [{"type": "text", "text": "A lease."}], "stop_reason": "end_turn",
             "usage": {"input_tokens": 9000, "output_tokens": 4}}
    first = Exchange.objects.get(public_id=record(raw, response=reply, team=team).public_id)
    second = Exchange.objects.get(public_id=record(raw, response=reply, team=team).public_id)

    stored = first.request_body["messages"][0]["content"]
    pdf_ref, png_ref = stored[0]["source"]["data"], stored[1]["source"]["data"]
    assert media.is_ref(pdf_ref) and pdf_ref["media_type"] == "application/pdf"
    assert pdf_ref["bytes"] == 20 * 1024 * 1024 + 9
    assert media.summary(pdf_ref) == "application/pdf, 20.0 MB"
    assert media.is_ref(png_ref)
    # The row itself stays small: the media and the raw bytes live in the blob store.
    assert len(json.dumps(first.request_body)) < 2000
    assert first.request_bytes is None and first.request_bytes_sha256
    assert first.request_size == len(raw)
    # Stored once: pdf, png and the raw request, however many times it was sent.
    assert Blob.objects.count() == 3
    assert second.blobs.count() == 3
    assert get_request_body(second) == body
    assert bytes(Blob.objects.get(sha256=second.request_bytes_sha256).data) == raw
    page = search_exchanges(team, {"model": "claude-sonnet-4-5"}, "contract")
    assert [e.public_id for e in page.exchanges] == [second.public_id, first.public_id]
    assert "request_body" in page.exchanges[0].get_deferred_fields()


def test_it_keeps_non_canonical_base64_exactly(alice):
    data = base64.encodebytes(os.urandom(30000)).decode()  # with newlines: not canonical
    body = {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": data}}]}]}
    exchange = Exchange.objects.get(
        public_id=record(body, response={"type": "message", "content": []},
                         team=team_of(alice)).public_id
    )
    ref = exchange.request_body["messages"][0]["content"][0]["source"]["data"]
    assert ref["encoding"] == "text"
    assert get_request_body(exchange) == body


def test_it_leaves_tool_inputs_that_look_like_references_alone(alice):
    body = {"model": "m", "max_tokens": 1, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "x",
                                           "input": {"$blob": "0" * 64, "media_type": "a", "bytes": 1}}]},
    ]}
    exchange = Exchange.objects.get(
        public_id=record(body, response={"type": "message", "content": []},
                         team=team_of(alice)).public_id
    )
    assert get_request_body(exchange) == body
