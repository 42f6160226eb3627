"""A key that went through the recorder never shows up on an inspector page or export."""

from __future__ import annotations

from tests.inspector.loop import record_loop
from tests.inspector.recorded import record

CANARY = "sk-ant-api03-CANARY-inspector-0123456789abcdef"


def test_it_never_shows_the_key_anywhere(client, alice):
    body = {"model": "claude-haiku-4-5", "max_tokens": 9, "messages": [{"role": "user", "content": "hi"}]}
    reply = {"id": "m", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
             "content": [{"type": "text", "text": "hello"}], "stop_reason": "end_turn",
             "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}
    exchange = record(alice, body, response=reply, request_headers={
        "content-type": "application/json", "anthropic-version": "2023-06-01",
        "x-api-key": CANARY, "Authorization": f"Bearer {CANARY}", "Cookie": f"session={CANARY}"},
        response_headers={"content-type": "application/json", "set-cookie": f"k={CANARY}"})
    step0, step1, _ = record_loop(alice)
    client.force_login(alice)
    base = exchange.get_absolute_url()
    urls = [f"{base}?tab={tab}" for tab in ("conversation", "request", "response", "timeline",
                                            "headers", "cache", "findings")]
    urls += [f"{base}code/{lang}/" for lang in ("curl", "python", "typescript")]
    urls += [f"{base}raw/{part}" for part in ("request.json", "response.json", "response.sse")]
    urls += ["/exchanges/", "/exchanges/?q=hello", f"{base}row/",
             f"/exchanges/diff/?a={exchange.public_id}&b={step1.public_id}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.content.decode(), url
    headers = client.get(f"{base}?tab=headers").content.decode()
    assert "x-api-key" in headers and "[redacted]" in headers
