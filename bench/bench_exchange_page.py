"""Benchmark: the exchange page of a 300,000-token stream (~100,000 events).

Run by hand: `.venv/bin/python bench/bench_exchange_page.py` (about a minute). It uses its
own throwaway SQLite database (or DATABASE_URL when set), creates one small exchange as
the baseline and one huge stream directly through the recording models, renders each
tab with Django's test client and prints the server time (median of 3) and memory:
the Python heap peak while rendering (tracemalloc) and the process's peak RSS.
Targets: under 500 ms per page and under 200 MB.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from timing import data_from_child, main_or_child, repeat, throwaway_sqlite  # noqa: E402

_tmp = throwaway_sqlite("bench-inspector-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

EVENTS = 100_000
TOKENS = 300_000
RUNS = 3
TABS = ("conversation", "response", "timeline", "timeline&page=500", "timeline&part=gaps", "request", "cache",
        "findings")


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def make_exchange(team, user, *, events: int, tokens: int):
    from playground.recording.models import EventRun, Exchange
    from playground.recording.store import make_run

    piece = "word " * max(1, tokens // max(events, 1))  # ~1 token per word
    text_total = piece * (events - 7)
    message = {"id": "msg_bench", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
               "content": [{"type": "text", "text": text_total}], "stop_reason": "end_turn",
               "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": tokens}}
    now = datetime.now(UTC)
    exchange = Exchange.objects.create(
        team=team, user=user, source="proxy", model="claude-haiku-4-5", provider="simulator",
        stream=True, status=200, started_at=now, finished_at=now, outcome="completed",
        stop_reason="end_turn", input_tokens=12, output_tokens=tokens, first_token_ms=210.0,
        duration_ms=events * 30.0, event_count=events, message=message,
        request_body={"model": "claude-haiku-4-5", "max_tokens": 320000, "stream": True,
                      "messages": [{"role": "user", "content": "Write a very long story."}]},
        request_headers=[["content-type", "application/json"], ["x-api-key", "[redacted]"]],
        response_headers=[["content-type", "text/event-stream"]], search_text="Write a very long story.",
    )
    head = [
        ("message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None,
                                                                  "usage": {"input_tokens": 12, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
    ]
    tail = [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": tokens}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    deltas = events - len(head) - len(tail)
    batch: list = []  # (offset_ms, name, bytes, terminated), stored in runs of 1,000 events
    runs: list = []
    seq = 0

    def add(name: str, data: dict) -> None:
        nonlocal seq
        batch.append((200.0 + seq * 30.0, name, _event(name, data).encode(), True))
        seq += 1
        if len(batch) == 1000:
            runs.append(make_run(exchange.pk, seq - len(batch), batch[:]))
            batch.clear()
        if len(runs) >= 20:
            EventRun.objects.bulk_create(runs)
            runs.clear()

    for name, data in head:
        add(name, data)
    for _ in range(deltas):
        add("content_block_delta", {"type": "content_block_delta", "index": 0,
                                    "delta": {"type": "text_delta", "text": piece}})
    for name, data in tail:
        add(name, data)
    if batch:
        runs.append(make_run(exchange.pk, seq - len(batch), batch))
    EventRun.objects.bulk_create(runs)
    return exchange


def get_ok(client: Client, url: str):
    """A page through the test client, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def measure(client: Client, url: str) -> tuple[float, float, int]:
    """(median server ms, Python heap peak MB, page bytes). Timed runs are separate from
    the heap run: tracemalloc slows allocation-heavy code many times over."""
    timing = repeat(lambda: get_ok(client, url), RUNS, warm=False)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return timing.median, peak / 1e6, len(timing.result.content)


def create_in_child() -> None:
    """Creates the data in a child process, so this process's peak RSS is the pages' own."""
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member, ensure_team

    call_command("migrate", verbosity=0)
    team = ensure_team("bench")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    add_member(team, user)
    small = make_exchange(team, user, events=40, tokens=120)
    t0 = time.perf_counter()
    big = make_exchange(team, user, events=EVENTS, tokens=TOKENS)
    print(f"created {EVENTS:,} events ({TOKENS:,} tokens) in {time.perf_counter() - t0:.1f} s "
          f"on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(json.dumps({"small": small.public_id, "big": big.public_id}))


def main() -> None:
    from django.contrib.auth import get_user_model

    from playground.recording.models import Exchange

    ids = data_from_child(__file__)
    small = Exchange.objects.get(public_id=ids["small"])
    big = Exchange.objects.get(public_id=ids["big"])
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    client.get(small.get_absolute_url())  # warm up templates and connections
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{'tab':<20}{'small ms':>10}{'big ms':>10}{'ratio':>8}{'heap MB':>10}{'page KB':>10}")
    worst = 0.0
    worst_heap = 0.0
    for tab in TABS:
        s_ms, _, _ = measure(client, f"{small.get_absolute_url()}?tab={tab}")
        b_ms, heap, size = measure(client, f"{big.get_absolute_url()}?tab={tab}")
        worst, worst_heap = max(worst, b_ms), max(worst_heap, heap)
        print(f"{tab:<20}{s_ms:>10.1f}{b_ms:>10.1f}{b_ms / s_ms:>8.1f}{heap:>10.1f}{size / 1024:>10.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"worst big page: {worst:.0f} ms (target < 500 ms); render heap peak {worst_heap:.0f} MB; "
          f"process peak RSS {rss:.0f} MB, {rss_before:.0f} MB before the pages (target < 200 MB)")


if __name__ == "__main__":
    main_or_child(create_in_child, main, _tmp)
