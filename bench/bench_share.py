"""Benchmark: opening a share of a 100,000-event exchange, against the exchange page itself.

Run by hand: `.venv/bin/python bench/bench_share.py` (about a minute). It uses its own
throwaway SQLite database (or DATABASE_URL when set), records the same 300,000-token,
100,000-event stream as bench_exchange_page.py, shares it, then renders each tab both
ways with Django's test client: the team's page signed in, the share signed out, one
after the other. It prints the server time (median of 5) of each and their ratio.
Target: a share costs what the exchange page costs (ratio about 1; the page's own budget
is under 500 ms per tab).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from timing import alternate, data_from_child, main_or_child, throwaway_sqlite  # noqa: E402

_tmp = throwaway_sqlite("bench-share-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("PLAYGROUND_AUTO_LOGIN_USER", "")

import django  # noqa: E402

django.setup()

from bench_exchange_page import EVENTS, TOKENS, get_ok, make_exchange  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = 5
TABS = ("conversation", "request", "response", "timeline", "timeline&page=500", "findings")


def medians(member: Client, page: str, visitor: Client, share: str) -> tuple[float, float]:
    """Median ms of the page and of the share, timed alternately."""
    page_timing, share_timing = alternate([lambda: get_ok(member, page), lambda: get_ok(visitor, share)], RUNS)
    return page_timing.median, share_timing.median


def create_in_child() -> None:
    """Creates the data in a child process (as bench_exchange_page does)."""
    from django.contrib.auth import get_user_model

    from playground.sharing.ops import create_share
    from playground.teams.ops import add_member, ensure_team

    call_command("migrate", verbosity=0)
    team = ensure_team("bench")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    add_member(team, user)
    t0 = time.perf_counter()
    big = make_exchange(team, user, events=EVENTS, tokens=TOKENS)
    print(f"created {EVENTS:,} events ({TOKENS:,} tokens) in {time.perf_counter() - t0:.1f} s")
    _, token = create_share(team, exchange=big, created_by=user)
    print(json.dumps({"big": big.public_id, "token": token}))


def main() -> None:
    from django.contrib.auth import get_user_model

    ids = data_from_child(__file__)
    member = Client()
    member.force_login(get_user_model().objects.get(username="bench"))
    visitor = Client()
    page, share = f"/exchanges/{ids['big']}/", f"/s/{ids['token']}"
    member.get(page)  # warm up templates and connections
    visitor.get(share)

    print(f"{'tab':<20}{'page ms':>10}{'share ms':>10}{'ratio':>8}")
    worst = 0.0
    for tab in TABS:
        page_ms, share_ms = medians(member, f"{page}?tab={tab}", visitor, f"{share}?tab={tab}")
        worst = max(worst, share_ms / page_ms)
        print(f"{tab:<20}{page_ms:>10.1f}{share_ms:>10.1f}{share_ms / page_ms:>8.2f}")
    print(f"worst share/page ratio: {worst:.2f} (target: about 1, the exchange page's budget)")


if __name__ == "__main__":
    main_or_child(create_in_child, main, _tmp)
