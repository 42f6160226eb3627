"""The list page query over 1,000,000 recorded exchanges: model filter plus text search.

Run by hand, once per database:

    .venv/bin/python bench/bench_list_query.py                       # SQLite (file kept in
                                                                     # /tmp/playground-bench)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recbench .venv/bin/python bench/bench_list_query.py

It creates the schema with the real migrations, bulk-loads ROWS exchanges for one team if
the table does not hold them yet (`--fresh` reloads), then times
`queries.search_exchanges()` exactly as the list page calls it, `REPEAT` times per query,
and prints the median and worst time (server time: the query plus building 50 rows).
The baseline, same run, is the unfiltered newest-first page. Target: under 150 ms.

Data: 90 days of exchanges, 8 models (12.5 % each), ~250 characters of search text drawn
from a 2,000-word vocabulary, with "invoice" in 5 % of rows (a common term), "zebrafish" in
0.1 % (rare) and "quokka" in none.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from timing import (  # noqa: E402
    build_search_indexes,
    drop_search_indexes,
    insert_rows,
    kept_sqlite,
    line,
    repeat,
    search_words,
    vocabulary,
)

kept_sqlite("list.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from playground.recording import search_sql  # noqa: E402
from playground.recording.models import Exchange  # noqa: E402
from playground.recording.queries import search_exchanges  # noqa: E402
from playground.teams.ops import ensure_team  # noqa: E402

ROWS = 1_000_000
CHUNK = 20_000
REPEAT = 7
MODELS = [
    "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-6", "claude-sonnet-4-6",
    "claude-opus-5", "claude-sonnet-5", "claude-haiku-5-5", "sim-fast",
]
OUTCOMES = ["completed"] * 17 + ["upstream_error", "incomplete", "client_cancelled"]
COLUMNS = [
    "public_id", "team_id", "proxy_key_name", "source", "boot_id", "method", "path", "query",
    "request_headers", "request_bytes_sha256", "request_size", "model", "provider", "stream",
    "status", "response_headers", "response_text", "stop_reason", "outcome", "error_type",
    "error_message", "request_id", "event_count", "stored_bytes", "input_tokens",
    "output_tokens", "server_tool_use", "started_at", "duration_ms", "findings", "anomalies",
    "tool_names", "search_text", "branch", "thread_hint", "prefix_hash", "reply_hash", "parent_hash",
]


def _rows(team_id: int, start: int, count: int, rng: random.Random, vocab: list[str]):
    now = datetime.now(UTC)
    span = timedelta(days=90).total_seconds()
    for i in range(start, start + count):
        words, roll = search_words(rng, vocab)
        outcome = rng.choice(OUTCOMES)
        # Newest rows get the highest ids, as in real use.
        started = now - timedelta(seconds=span * (1 - i / ROWS))
        yield (
            f"bench{i:08d}", team_id, "ci", "proxy", "bench", "POST", "/v1/messages", "",
            "[]", "", 500, rng.choice(MODELS), "bench", True,
            200 if outcome != "upstream_error" else 529, "[]", "",
            "end_turn" if outcome == "completed" else "", outcome,
            "overloaded_error" if outcome == "upstream_error" else "", "", f"req_{i}", 12, 900,
            120, 80, "{}", started, 1500.0, "[]", "[]", " get_weather " if roll > 0.9 else "",
            " ".join(words), 0, "", "", "", "",
        )


def _load(team_id: int) -> None:
    rng = random.Random(7)
    vocab = vocabulary(rng)
    t0 = time.perf_counter()
    drop_search_indexes(search_sql, trgm_index="exch_search_trgm")
    for start in range(0, ROWS, CHUNK):
        batch = list(_rows(team_id, start, CHUNK, rng, vocab))
        with transaction.atomic():
            insert_rows("recording_exchange", COLUMNS, batch)
        print(f"\r  loaded {start + CHUNK:>9,} rows", end="", flush=True)
    print(f"\n  bulk insert: {time.perf_counter() - t0:.0f} s")
    t1 = time.perf_counter()
    build_search_indexes(search_sql, fts_table="recording_exchange_fts", tables=("recording_exchange",))
    print(f"  search index build: {time.perf_counter() - t1:.0f} s")


def _time(label: str, call, baseline: float | None = None) -> float:
    timing = repeat(call, REPEAT)
    print(line(label, timing, baseline, width=52, extra=f"  rows {len(timing.result.exchanges):>2}"))
    return timing.median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="delete and reload the rows")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    team = ensure_team("bench")
    count = Exchange.objects.for_team(team).count()
    if args.fresh or count < ROWS:
        print(f"{connection.vendor}: loading {ROWS:,} exchanges (had {count:,})")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM recording_exchange WHERE team_id = %s", [team.id])
        _load(team.id)
    print(f"{connection.vendor}: {Exchange.objects.for_team(team).count():,} exchanges in team "
          f"'bench'; {REPEAT} timed runs per query")
    model = {"model": "claude-sonnet-4-5"}
    base = _time("baseline: newest page, no filter", lambda: search_exchanges(team, {}, ""))
    _time("model filter", lambda: search_exchanges(team, model, ""), base)
    _time("model + text 'invoice' (5 % of rows)", lambda: search_exchanges(team, model, "invoice"), base)
    _time("model + text 'zebrafish' (0.1 %)", lambda: search_exchanges(team, model, "zebrafish"), base)
    _time("model + text 'quokka' (no match)", lambda: search_exchanges(team, model, "quokka"), base)
    _time("model + outcome + text 'invoice'",
          lambda: search_exchanges(team, {**model, "outcome": "upstream_error"}, "invoice"), base)
    _time("text 'zebrafish', no model", lambda: search_exchanges(team, {}, "zebrafish"), base)

    before = None
    for _ in range(19):
        before = search_exchanges(team, model, "invoice", before=before).next_before
    _time("model + text 'invoice', page 20 (keyset)",
          lambda: search_exchanges(team, model, "invoice", before=before), base)
    print("target: every query under 150 ms")


if __name__ == "__main__":
    main()
