"""The thread list pages by (last_at, id), newest first: every thread once, ties included."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from playground.recording.models import Thread
from playground.teams.ops import ensure_team


def test_it_pages_through_every_thread_of_the_team_once(client, alice, bob):
    acme, globex = ensure_team("acme"), ensure_team("globex")
    base = timezone.now() - dt.timedelta(days=1)
    for i in range(53):
        when = base + dt.timedelta(minutes=i // 2)  # pairs share a last_at: the id breaks the tie
        Thread.objects.create(team=acme, title=f"acme thread {i:02d}", started_at=when, last_at=when)
    Thread.objects.create(team=globex, title="globex thread", started_at=base, last_at=base)
    client.force_login(alice)

    seen: list[str] = []
    url = "/exchanges/threads/"
    for _ in range(3):
        html = client.get(url).content.decode()
        seen += re.findall(r">(acme thread \d\d)</a>", html)
        assert "globex thread" not in html
        more = re.search(r'href="(\?cursor=[^"]+)"', html)
        if more is None:
            break
        url = "/exchanges/threads/" + more.group(1).replace("&amp;", "&")
    assert url.count("cursor=") == 1  # two pages: 50, then 3
    assert seen == [f"acme thread {i:02d}" for i in reversed(range(53))]
