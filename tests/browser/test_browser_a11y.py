"""An accessibility pass over every page with axe-core (vendored in tests/vendor/axe): no
serious or critical violation. Run under the pages' real Content-Security-Policy (axe is
evaluated by the browser's automation, not injected as a script tag)."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.recording.models import Exchange
from tests.browser.conftest import open_composer, record_loop

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe" / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")


def violations(page) -> list[str]:
    page.evaluate(AXE + "\n;0")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def pages(exchanges: list[Exchange], thread: str) -> list[str]:
    first, second = exchanges[0].public_id, exchanges[1].public_id
    return [
        "/exchanges/", "/exchanges/threads/", f"/exchanges/threads/{thread}/",
        *(f"/exchanges/{second}/?tab={tab}" for tab in
          ("conversation", "request", "response", "timeline", "headers", "cache", "findings")),
        f"/exchanges/diff/?a={first}&b={second}", "/exchanges/diff/",
        "/proxy/", "/providers/", "/providers/new/", "/library/",
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_page_has_a_serious_accessibility_violation(page_for, alice, theme):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    steps = record_loop(alice)
    thread = Exchange.objects.get(pk=steps[0].pk).thread.public_id
    page = page_for(alice)
    page.emulate_media(color_scheme=theme)
    found = {}
    open_composer(page)
    if problems := violations(page):
        found["/"] = problems
    for path in pages(list(steps), thread):
        page.goto(path)
        page.wait_for_load_state("load")
        if problems := violations(page):
            found[path] = problems
    assert found == {}, "\n".join(f"{path}: {problem}" for path, problems in found.items() for problem in problems)
