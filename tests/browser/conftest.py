"""Browser fixtures: the real ASGI app served by uvicorn on a random loopback port, in this
process (so the in-memory channel layer and the test database are shared), driven by
Debian's Chromium through Playwright. Never downloads a browser.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.chromium import sync_chromium

# The server thread records while the test thread reads: on SQLite the test database is a
# file (WAL, busy timeout), like the embedded default, rather than the shared-cache memory
# database whose table locks fail at once instead of waiting.
_default_db = settings.DATABASES["default"]
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _default_db.setdefault("TEST", {})["NAME"] = str(
        Path(tempfile.gettempdir()) / f"playground-test-{os.getpid()}.sqlite3"
    )



@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    import uvicorn

    from playground.asgi import application

    config = uvicorn.Config(
        application, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the ASGI server did not start")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one test module. Playwright's sync API keeps an event loop running in
    the test thread while it is open: Django would then refuse the test's own synchronous
    database calls (Playwright's documented workaround is DJANGO_ALLOW_ASYNC_UNSAFE), and
    pytest-asyncio tests could not start their loop. So both last one module only."""
    with sync_chromium() as chromium:
        yield chromium


@pytest.fixture
def page_for(browser, asgi_server, transactional_db):
    """page_for(user) -> a Playwright page logged in as `user`, console errors collected."""
    from django.test import Client

    contexts = []

    def make(user, viewport=(1280, 900)):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, base_url=asgi_server)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}]
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.set_default_timeout(15_000)
        return page

    yield make
    errors = [e for context in contexts for page in context.pages for e in getattr(page, "errors", [])]
    settle(contexts)
    assert errors == [], f"uncaught errors in the page: {errors}"


def flush_recordings() -> None:
    """Wait for the server's recording writer. Playwright keeps an event loop running in this
    thread, and the recorder's sync flush refuses to block a loop: wait from a plain thread."""
    from playground import recording

    failure: list[BaseException] = []

    def run() -> None:
        try:
            recording.flush_sync()
        except BaseException as exc:  # re-raised in the test thread
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    if failure:
        raise failure[0]


def settle(contexts) -> None:
    """Leave the pages (their last autosave goes out), let the server's recording writer
    drain, then close: the test database is flushed next and must not be written meanwhile."""
    for context in contexts:
        for page in context.pages:
            page.goto("about:blank")
    time.sleep(0.2)
    flush_recordings()
    for context in contexts:
        context.close()


def open_composer(page, path: str = "/"):
    """Open the composer and wait until its script has drawn the form."""
    page.goto(path)
    page.wait_for_selector("#conversation .turn")
    return page


def add_tools(page, names) -> None:
    """Adds custom tools with these names (no schema beyond the default, no mock)."""
    page.click('[data-tab="tools"]')
    for k, name in enumerate(names):
        page.click("[data-testid=add-tool]")
        page.fill(f"[data-testid=tool-name-{k}]", name)
        page.press(f"[data-testid=tool-name-{k}]", "Tab")


def add_headers(page, headers: dict[str, str]) -> None:
    """On the headers tab, add each header as a new row, in order."""
    page.click('[data-tab="headers"]')
    for i, (name, value) in enumerate(headers.items()):
        page.click("[data-testid=add-header]")
        page.locator(".header-row input[aria-label='header name']").nth(i).fill(name)
        page.locator(".header-row input[aria-label='header value']").nth(i).fill(value)


def recorded(public_id: str, *, settled: bool = True, timeout: float = 10.0):
    """The Exchange row once the server's writer has written it (and finished it)."""
    from playground.recording.models import Exchange

    deadline = time.monotonic() + timeout
    while True:
        flush_recordings()
        exchange = Exchange.objects.filter(public_id=public_id).first()
        if exchange is not None and (not settled or exchange.outcome != "streaming"):
            return exchange
        if time.monotonic() > deadline:
            raise AssertionError(f"exchange {public_id} was not recorded in {timeout} s")
        time.sleep(0.05)


def raw_request(page) -> dict:
    """The request the page holds, read from its Raw view."""
    import json

    page.click('[data-tab="raw"]')
    text = page.input_value("#raw-json")
    page.click('[data-tab="params"]')
    return json.loads(text)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str, height: int = 1500) -> Path:
    """A screenshot at 1280 px wide, scrolled to the top: the sticky top bar and rail stay
    where a user sees them (a full-page capture would paint them mid-page). It refreshes
    docs/screenshots/<name> only with UPDATE_SCREENSHOTS=1, so a test run leaves the
    checkout clean; otherwise it goes to the temporary folder."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else Path(tempfile.gettempdir())
    path = folder / name
    page.set_viewport_size({"width": 1280, "height": height})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    page.screenshot(path=str(path))
    return path


def record_loop(user):
    """The inspector tests' three-step tool loop, recorded from a worker thread: Playwright's
    sync API keeps an event loop in this one, and the capture API would hand its writes to
    that (blocked) loop."""
    from tests.inspector import loop

    out: list = []
    worker = threading.Thread(target=lambda: out.append(loop.record_loop(user)))
    worker.start()
    worker.join(30)
    assert out, "recording failed"
    return out[0]
