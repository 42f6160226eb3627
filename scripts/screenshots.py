"""Refresh docs/screenshots: one picture of each page at desktop size and the composer on a phone.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only composer,library]

It builds a demo database of its own in a temporary folder (SQLite: migrate, `load_demo`,
then a few teammates, an invite, a proxy key, a provider, a saved request with two
versions, a share), serves the app with uvicorn on a free loopback port (the embedded
default: the in-memory channel layer and the offline simulator, so no key and no network),
makes a few calls through the recording proxy, and photographs each page with Debian's
Chromium (/usr/bin/chromium) through Playwright, signed in as the development user `demo`
(development signs loopback visitors in automatically). Nothing outside the temporary
folder and the output folder is written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = (1280, 900)
PHONE = (390, 844)
TIMEOUT_MS = 20_000

DEMO_NOTE = "Asks for the weather first, then restaurants; the mocks answer both tools."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_environment(folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "PLAYGROUND_ENV": "development",
        "PLAYGROUND_AUTO_LOGIN_USER": "demo",
        "DJANGO_SETTINGS_MODULE": "playground.settings",
    }
    for name in ("REDIS_URL", "ANTHROPIC_API_KEY", "PLAYGROUND_DEBUG"):
        env.pop(name, None)
    return env


def seed(env: dict[str, str]) -> dict:
    """The demo database: migrate, load_demo, then what the other pages show. Returns the
    ids and secrets the photographs need (a proxy key, a share token, ...)."""
    os.environ.update(env)
    for name in ("REDIS_URL", "ANTHROPIC_API_KEY", "PLAYGROUND_DEBUG"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed at exit)

    from playground.composer.management.commands.load_demo import DEMO_MOCKS, DEMO_REQUEST
    from playground.library import ops as library
    from playground.proxy.keys import create_key
    from playground.recording.models import Exchange
    from playground.sharing.ops import create_share
    from playground.teams.invites import create_invite
    from playground.teams.ops import add_member, current_team, ensure_local_user

    demo = ensure_local_user("demo")
    team = current_team(demo)
    users = get_user_model().objects
    for name, role in (("alice", "owner"), ("bob", "member"), ("carol", "viewer")):
        user, _ = users.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
        if not user.memberships.filter(team=team).exists():
            add_member(team, user, role)
    create_invite(team, "member", created_by=demo)
    _key, raw_key = create_key(team, "ci-agent", created_by=demo)
    call_command(
        "addprovider", "local-gateway", "--base-url", "http://127.0.0.1:4000", "--models", "llama-3.1-*,qwen-2.5-*",
        "--auth", "none", "--allow-private-network", stdout=open(os.devnull, "w"),  # noqa: SIM115
    )

    state = {"request": DEMO_REQUEST, "provider": None, "headers": {}, "mocks": DEMO_MOCKS,
             "notes": DEMO_NOTE, "variables": {"sets": [], "active": None}}
    saved = library.create_saved_request(
        team, demo, "Lisbon dinner planner", state, description="The demo tool loop, as a saved request.",
        tags=["demo", "tools"], message="First version",
    )
    second = json.loads(json.dumps(state))
    second["request"]["system"] += " Mention the weather in the answer."
    second["request"]["max_tokens"] = 2048
    library.save_version(saved, demo, second, "Mention the weather; more room to answer", base_version=1)

    steps = list(Exchange.objects.for_team(team).filter(thread__isnull=False).order_by("started_at", "id"))
    _share, token = create_share(team, thread=steps[-1].thread, created_by=demo)
    return {
        "proxy_key": raw_key,
        "share_token": token,
        "saved": saved.public_id,
        "exchange": steps[-1].public_id,
        "first_step": steps[0].public_id,
        "thread": steps[-1].thread.public_id,
    }


@contextlib.contextmanager
def serve(env: dict[str, str], folder: Path) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, for as long as the block runs."""
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "playground.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {folder / 'server.log'}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def proxy_calls(base: str, key: str) -> None:
    """A few calls through the recording proxy, as an SDK would make them."""
    import logging

    import anthropic

    for name in ("httpx", "httpx2"):
        logging.getLogger(name).setLevel(logging.WARNING)

    client = anthropic.Anthropic(base_url=base, api_key=key, max_retries=0)
    client.messages.create(model="sim-1", max_tokens=200, messages=[{"role": "user", "content": "Hello from CI."}])
    with client.messages.stream(model="sim-1-fast", max_tokens=200,
                                messages=[{"role": "user", "content": "Summarize the release notes."}]) as stream:
        stream.until_done()
    with contextlib.suppress(anthropic.APIStatusError):
        client.messages.create(model="sim-1", max_tokens=200, messages=[{"role": "user", "content": "Fail once."}],
                               extra_headers={"x-sim-fault": "overloaded"})


class Camera:
    def __init__(self, browser, base: str, out: Path, only: set[str] | None):
        self.browser, self.base, self.out, self.only = browser, base, out, only
        self.taken: list[Path] = []

    def page(self, viewport=DESKTOP, signed_in: bool = True):
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, base_url=self.base,
                                           color_scheme="light", device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        if signed_in:
            page.goto("/teams/")  # development signs a loopback visitor in as `demo`
        return page

    def wanted(self, name: str) -> bool:
        return self.only is None or name in self.only

    def shoot(self, page, name: str, height: int | None = None, top: bool = True) -> None:
        """The window at its width and `height` (default: the window's), scrolled to the top
        unless `top` is False (the sticky top bar and rail stay where a user sees them)."""
        if height:
            page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
        if top:
            page.evaluate("() => window.scrollTo(0, 0)")
        page.evaluate("() => document.fonts.ready")
        page.wait_for_timeout(150)  # let the scroll and any transition paint
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
        page.context.close()


def composer_ready(page, path: str = "/") -> None:
    page.goto(path)
    page.wait_for_selector("#conversation .turn")


def shoot_composer(cam: Camera, ids: dict) -> None:
    page = cam.page()
    composer_ready(page)
    page.locator("#conversation textarea.text-input").last.fill("Is Prado open for lunch tomorrow as well?")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=run-outcome]:not(:text-is('streaming'))")
    page.click("#conversation")  # unpin the response: the picture shows the page as laid out
    cam.shoot(page, "composer", height=1100)


def shoot_compare(cam: Camera, ids: dict) -> None:
    page = cam.page()
    composer_ready(page)
    page.locator("#conversation textarea.text-input").last.fill("Where should I eat tonight?")
    page.click("#compare-button")
    second = "[data-testid=compare-col-1]"
    page.fill(f"{second} [data-testid=compare-temperature]", "0.2")
    page.check(f"{second} [data-testid=compare-own-system]")
    page.fill(f"{second} [data-testid=compare-system]", "Answer in one sentence, no tools.")
    for box in page.locator(f"{second} [data-testid=compare-tool]").all():
        box.uncheck()
    page.click("[data-testid=compare-run]")
    for column in (1, 2):
        page.wait_for_selector(f".compare-grid .run-column:nth-child({column}) [data-testid=run-outcome]:not(:text-is('streaming'))")
    page.click("#conversation")  # unpin the response: the picture shows the page as laid out
    page.set_viewport_size({"width": DESKTOP[0], "height": 1100})
    page.evaluate("() => document.querySelector('[data-testid=response]').scrollIntoView({block: 'end'})")
    cam.shoot(page, "composer-compare", top=False)


def shoot_phone(cam: Camera, ids: dict) -> None:
    page = cam.page(viewport=PHONE)
    composer_ready(page)
    cam.shoot(page, "composer-phone")


def shoot_simple(name: str, path: str, ready: str, height: int | None = None) -> Callable[[Camera, dict], None]:
    def shoot(cam: Camera, ids: dict) -> None:
        page = cam.page()
        page.goto(path.format(**ids))
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        cam.shoot(page, name, height)

    return shoot


def shoot_sign_in(cam: Camera, ids: dict) -> None:
    page = cam.page(signed_in=False)
    page.goto("/accounts/login/")
    page.wait_for_selector("input[type=password]")
    cam.shoot(page, "sign-in", height=700)


def shoot_share(cam: Camera, ids: dict) -> None:
    page = cam.page(signed_in=False)  # a share link is read without an account
    page.goto(f"/s/{ids['share_token']}")
    page.wait_for_load_state("networkidle")
    cam.shoot(page, "share", height=1000)


SHOTS: dict[str, Callable[[Camera, dict], None]] = {
    "composer": shoot_composer,
    "composer-compare": shoot_compare,
    "composer-phone": shoot_phone,
    "library": shoot_simple("library", "/library/", "main"),
    "library-request": shoot_simple("library-request", "/library/{saved}/", "main", 1100),
    "library-diff": shoot_simple("library-diff", "/library/{saved}/diff?a=1&b=2", "main", 1000),
    "share": shoot_share,
    "inspector-list": shoot_simple("inspector-list", "/exchanges/", "main"),
    "inspector-exchange": shoot_simple("inspector-exchange", "/exchanges/{exchange}/", "main", 1300),
    "inspector-thread": shoot_simple("inspector-thread", "/exchanges/threads/{thread}/", "main", 1200),
    "inspector-diff": shoot_simple("inspector-diff", "/exchanges/diff/?a={first_step}&b={exchange}", "main", 1100),
    "proxy": shoot_simple("proxy", "/proxy/", "main", 1100),
    "providers": shoot_simple("providers", "/providers/", "main"),
    "members": shoot_simple("members", "/teams/", "main"),
    "sign-in": shoot_sign_in,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", help=f"comma-separated names among: {', '.join(SHOTS)}")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if only and only - set(SHOTS):
        parser.error(f"unknown: {', '.join(sorted(only - set(SHOTS)))}")
    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} is missing (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="playground-screens-") as tmp:
        folder = Path(tmp)
        env = demo_environment(folder)
        print("building the demo database…")
        ids = seed(env)
        with serve(env, folder) as base:
            proxy_calls(base, ids.pop("proxy_key"))
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cam = Camera(browser, base, args.out, only)
                print(f"photographing {base} into {args.out}")
                for name, shoot in SHOTS.items():
                    if cam.wanted(name):
                        shoot(cam, ids)
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
