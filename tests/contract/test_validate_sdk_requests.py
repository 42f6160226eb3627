"""Requests serialized by the official Python SDK validate clean, on both endpoints and
the beta path, with betas read from the header the SDK sent."""

from __future__ import annotations

import base64
import json
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import anthropic
import pytest

from playground.contract.validate import parse_body, validate_request

MESSAGE = {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
           "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
           "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}


class Sent:
    """One request as a loopback server received it."""

    def __init__(self, path: str, headers: dict, content: bytes) -> None:
        url = urlsplit(path)
        self.path = url.path
        self.headers, self.content = headers, content


@pytest.fixture
def sent():
    """An SDK client talking to a loopback server that records what it receives."""
    captured: list[Sent] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            content = self.rfile.read(int(self.headers["content-length"]))
            captured.append(Sent(self.path, {k.lower(): v for k, v in self.headers.items()},
                                 content))
            answer = {"input_tokens": 3} if self.path.split("?")[0].endswith("/count_tokens") else MESSAGE
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = anthropic.Anthropic(api_key="sk-test", max_retries=0,
                                 base_url=f"http://127.0.0.1:{server.server_port}")
    try:
        yield client, captured
    finally:
        client.close()
        server.shutdown()
        server.server_close()
        thread.join()


def check(request: Sent) -> list:
    body, findings = parse_body(request.content)
    assert findings == []
    endpoint = "count_tokens" if request.path.endswith("/count_tokens") else "messages"
    return validate_request(body, endpoint=endpoint,
                            betas=request.headers.get("anthropic-beta", ""))


def tiny_png() -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))
    return base64.b64encode(raw).decode()


TOOLS = [{"name": "get_weather", "description": "Weather for a city",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                           "required": ["city"]},
          "cache_control": {"type": "ephemeral"}}]


def test_it_accepts_what_the_sdk_sends_for_a_tool_loop_with_thinking(sent):
    client, captured = sent
    client.messages.create(
        model="claude-haiku-4-5", max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 1024},
        system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        tools=TOOLS, tool_choice={"type": "auto"},
        messages=[
            {"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                             "data": tiny_png()}},
                {"type": "text", "text": "Weather where this photo was taken?"}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Paris, probably.", "signature": "EqQBCkYIBBgC"},
                {"type": "tool_use", "id": "toolu_01A", "name": "get_weather",
                 "input": {"city": "Paris"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A",
                 "content": [{"type": "text", "text": "18C, cloudy"}]}]},
        ],
    )
    [request] = captured
    assert json.loads(request.content)["messages"][1]["content"][1]["id"] == "toolu_01A"
    assert check(request) == []


def test_it_accepts_what_the_sdk_sends_to_count_tokens(sent):
    client, captured = sent
    client.messages.count_tokens(model="claude-haiku-4-5", tools=TOOLS,
                                 messages=[{"role": "user", "content": "Hi"}])
    [request] = captured
    assert request.path == "/v1/messages/count_tokens"
    assert check(request) == []


def test_it_accepts_what_the_sdk_sends_on_the_beta_path(sent):
    client, captured = sent
    client.beta.messages.create(
        model="claude-sonnet-4-6", max_tokens=1024,
        betas=["context-management-2025-06-27", "files-api-2025-04-14"],
        context_management={"edits": [{"type": "clear_tool_uses_20250919"}]},
        messages=[{"role": "user", "content": [
            {"type": "document", "source": {"type": "file", "file_id": "file_011"}},
            {"type": "text", "text": "Summarise the file"}]}],
    )
    [request] = captured
    assert "context-management-2025-06-27" in request.headers["anthropic-beta"]
    assert check(request) == []
    # the same body without its betas is what the API rejects
    body = json.loads(request.content)
    rejected = {f.api_path for f in validate_request(body) if f.severity == "error"}
    assert rejected == {"context_management"}  # file sources are stable since anthropic 2.x
