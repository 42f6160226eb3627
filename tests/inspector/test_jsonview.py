"""Highlighted JSON reads back as the same JSON; media is summarized, never shown."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest

from playground.inspector.jsonview import highlight_json, summarize_media
from tests.conftest import all_captures, load_capture


def _text_of(rendered: str) -> str:
    rendered = re.sub(r'<span class="j-count[^"]*">.*?</span>', "", rendered)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@pytest.mark.parametrize("name", [n for n in all_captures() if load_capture(n).get("request")])
def test_it_renders_json_that_parses_back_to_the_same_value(name):
    body = load_capture(name)["request"]
    assert json.loads(_text_of(str(highlight_json(body)))) == body


def test_it_summarizes_base64_media_and_blob_references():
    data = base64.b64encode(b"\x89PNG" + b"\x00" * 3000).decode()
    body = {"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                        "data": {"$blob": "ab12" + "0" * 60, "media_type": "application/pdf",
                                                 "bytes": 20 * 1024 * 1024}}},
    ]}]}
    shown = summarize_media(body)
    image, document = shown["messages"][0]["content"]
    assert re.fullmatch(r"\[image/png 2\.9 KB sha256:[0-9a-f]{4}…\]", image["source"]["data"])
    assert document["source"]["data"] == "[application/pdf 20.0 MB sha256:ab12…]"
    rendered = str(highlight_json(body))
    assert data not in rendered and "ab12" + "0" * 60 not in rendered


def test_it_escapes_everything_it_is_given():
    rendered = str(highlight_json({"<script>": "</details><img src=x onerror=alert(1)>"}))
    assert "<script>" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;" in rendered
