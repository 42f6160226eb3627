"""The Content-Security-Policy (issue 14): django-csp, `connect-src 'self'` with no blanket
`ws:`/`wss:`, and no `'unsafe-inline'` anywhere, so templates carry no inline styles (the
code editor's theme is the one inline style, admitted by the response's nonce)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/exchanges/", "/exchanges/threads/", "/proxy/", "/exchanges/diff/"])
def test_pages_send_the_strict_policy(client, alice, path):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'"]
    # 'self' and this response's nonce (the code editor's theme), nothing else.
    assert policy["style-src"][0] == "'self'" and len(policy["style-src"]) == 2
    assert policy["style-src"][1].startswith("'nonce-")
    nonce = policy["style-src"][1][len("'nonce-"):-1]
    assert f'<meta name="csp-nonce" content="{nonce}">' in response.content.decode()
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_templates_and_scripts_carry_no_inline_style():
    offenders = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("static").rglob("*.js")]:
        if path.name == "export.html":
            continue  # an offline file with its own policy (default-src 'none', inline styles)
        if "vendor" in path.parts:
            # Third-party code: CodeMirror styles itself through constructed style sheets
            # (adoptedStyleSheets), which style-src does not govern.
            continue
        text = path.read_text()
        for match in re.finditer(r"""style\s*[=:]\s*[`"'{]|<style|setAttribute\(\s*["']style""", text):
            offenders.append(f"{path.relative_to(ROOT)}: {text[match.start():match.start() + 40]!r}")
    assert offenders == []


def test_htmx_does_not_inject_its_indicator_style(client, alice, db):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html
