"""The inspector in a real browser: rows slide in live, tabs swap in place, thumbnails load,
copy as curl fills the clipboard, and the page runs under the strict CSP without errors."""

from __future__ import annotations

import base64
import json
import shlex
import struct
import threading
import zlib

import pytest

from tests.browser.conftest import asgi_server, browser, page_for  # noqa: F401 (fixtures)
from tests.inspector import recorded

pytestmark = pytest.mark.browser


def record(*args, **kwargs):
    """Record from a worker thread: Playwright's sync API keeps an event loop in this one,
    and the capture API would hand its writes to that (blocked) loop."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(recorded.record(*args, **kwargs)))
    worker.start()
    worker.join(30)
    assert out, "recording failed"
    return out[0]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x80\xff" * 64 for _ in range(64))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"") + b"\x00" * 9000)


def _reply(text: str) -> dict:
    return {"id": "msg_b", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 4, "output_tokens": 2}}


def test_it_updates_live_and_works_under_csp(page_for, alice, bob):  # noqa: F811
    first = record(alice, {"model": "claude-haiku-4-5", "max_tokens": 9,
                           "messages": [{"role": "user", "content": "first question"}]},
                   response=_reply("first answer"))
    page = page_for(alice)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" and "404" not in m.text else None)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.goto("/exchanges/")
    page.wait_for_selector(f"#ex-{first.public_id}")
    page.wait_for_timeout(300)  # the socket connects
    page.evaluate("() => { window.notReloaded = true; }")

    body = {"model": "claude-haiku-4-5", "max_tokens": 9, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": base64.b64encode(tiny_png()).decode()}},
        {"type": "text", "text": "a live question"}]}]}
    live = record(alice, body, response=_reply("live answer"))
    theirs = record(bob, {"model": "claude-haiku-4-5", "max_tokens": 9,
                          "messages": [{"role": "user", "content": "bob's question"}]}, response=_reply("x"))
    row = page.wait_for_selector(f"#ex-{live.public_id}", timeout=10_000)
    assert row is not None
    assert page.evaluate("() => window.notReloaded === true")
    ids = page.eval_on_selector_all("#ex-rows tr[id^=ex-]", "rows => rows.map(r => r.id)")
    assert ids[0] == f"ex-{live.public_id}"
    assert f"ex-{theirs.public_id}" not in ids

    page.click(f"#ex-{live.public_id} .snippet a")
    page.wait_for_selector("img.thumb")
    # Loaded from the blob store under the CSP: wait for the image to finish, then check it.
    page.wait_for_function("() => document.querySelector('img.thumb').complete")
    assert page.eval_on_selector("img.thumb", "img => img.naturalWidth") == 64

    page.click(".tabs a:text('Timeline')")
    page.wait_for_selector('#tab-panel[data-tab="timeline"]')
    assert "tab=timeline" in page.url
    page.click(".tabs a:text('Request')")
    page.wait_for_selector('#tab-panel[data-tab="request"] .json')

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("a:text('Copy as curl')")
    page.wait_for_selector("a:text('Copied')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    words = shlex.split(copied)
    assert json.loads(words[words.index("--data-binary") + 1]) == body
    assert page.errors == []
    assert console == []  # no CSP violation, no script error
    assert missing == []
