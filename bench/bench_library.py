"""The library: search over 100,000 saved requests with 10 versions each, and saving a
version of a 5 MB request.

Run by hand, once per database:

    .venv/bin/python bench/bench_library.py                        # SQLite (file kept in
                                                                   # /tmp/playground-bench)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/libbench .venv/bin/python bench/bench_library.py

It creates the schema with the real migrations and bulk-loads REQUESTS saved requests for
one team (each with VERSIONS versions, 1-3 tags and 0-3 tools, rows as the ops functions
write them) if the tables do not hold them yet (`--fresh` reloads; on PostgreSQL through
COPY, about a minute), then vacuums as autovacuum soon would. Then it times
`search.search_library()` exactly as the library page calls it, REPEAT times per query,
and prints the median and worst (server time: the query plus building 50 rows); the
baseline, same run, is the unfiltered first page. Then it times `ops.save_version()` of a
5 MB request against a baseline of `json.dumps` of the same state.
Targets: every search under 100 ms p50; saving a 5 MB version under 200 ms p50.

Data: ~300 characters of text per request from a 2,000-word vocabulary, with "invoice" in
5 % of requests (a common term), "zebrafish" in 0.1 % (rare) and "quokka" in none; 60 tags
(each on ~3 % of requests), 8 models, 30 tool names, 20 authors.
"""

from __future__ import annotations

import argparse
import json
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

kept_sqlite("library.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from playground.library import ops, search_sql  # noqa: E402
from playground.library.models import SavedRequest  # noqa: E402
from playground.library.search import Filters, position_of, search_library  # noqa: E402
from playground.library.state import dumps, search_fields  # noqa: E402
from playground.teams.ops import add_member, ensure_team  # noqa: E402

REQUESTS = 100_000
VERSIONS = 10
CHUNK = 5_000
REPEAT = 7
MODELS = [
    "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-6", "claude-sonnet-4-6",
    "claude-opus-5", "claude-sonnet-5", "claude-haiku-5-5", "sim-1",
]
TAGS = [f"tag{i:02d}" for i in range(60)]
TOOLS = [f"tool_{i:02d}" for i in range(30)]
SR_COLUMNS = [
    "id", "public_id", "team_id", "name", "description", "tags", "created_by_id", "created",
    "updated", "used_at", "latest_number", "last_outcome", "last_exchange_id",
    "last_value_set", "model", "provider", "tool_names", "search_text",
]
V_COLUMNS = ["saved_request_id", "number", "state_json", "size", "author_id", "created", "message"]
F_COLUMNS = ["team_id", "saved_request_id", "kind", "value"]


def _state(text: str, model: str, tools: list[str]) -> dict:
    return {
        "request": {
            "model": model, "max_tokens": 1024,
            "tools": [{"name": t, "description": "", "input_schema": {"type": "object"}} for t in tools],
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        },
        "provider": None, "headers": {"anthropic-version": "2023-06-01"}, "mocks": {},
        "notes": "", "variables": {"sets": [], "active": None},
    }


def _rows(team_id: int, first_id: int, start: int, count: int, rng, vocab, authors):
    now = datetime.now(UTC)
    span = timedelta(days=180).total_seconds()
    requests, versions, facets = [], [], []
    for i in range(start, start + count):
        pk = first_id + i
        words, _ = search_words(rng, vocab)
        text = " ".join(words)
        name = " ".join(rng.choices(vocab, k=3))
        tags = rng.sample(TAGS, rng.randint(1, 3))
        tools = rng.sample(TOOLS, rng.randint(0, 3))
        model = rng.choice(MODELS)
        author = rng.choice(authors)
        used = now - timedelta(seconds=rng.random() * span)
        state = _state(text, model, tools)
        fields = search_fields(state, name, "", tags)
        requests.append((
            pk, f"bench{i:08d}", team_id, name, "", json.dumps(tags), author, used, used, used,
            VERSIONS, "completed", "", "", fields["model"], "", fields["tool_names"],
            fields["search_text"],
        ))
        state_json = dumps(state)
        for n in range(1, VERSIONS + 1):
            versions.append((pk, n, state_json, len(state_json), author, used, f"save {n}"))
        facets += [(team_id, pk, "tag", t) for t in tags] + [(team_id, pk, "tool", t) for t in tools]
    return requests, versions, facets


def _load(team_id: int, authors: list[int]) -> None:
    rng = random.Random(7)
    vocab = vocabulary(rng)
    t0 = time.perf_counter()
    drop_search_indexes(search_sql, trgm_index="lib_search_trgm")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM library_savedrequest")
        first_id = cursor.fetchone()[0] + 1
    for start in range(0, REQUESTS, CHUNK):
        requests, versions, facets = _rows(team_id, first_id, start, CHUNK, rng, vocab, authors)
        with transaction.atomic():
            insert_rows("library_savedrequest", SR_COLUMNS, requests)
            insert_rows("library_version", V_COLUMNS, versions)
            insert_rows("library_facet", F_COLUMNS, facets)
        print(f"\r  loaded {start + CHUNK:>7,} requests", end="", flush=True)
    print(f"\n  bulk insert: {time.perf_counter() - t0:.0f} s")
    t1 = time.perf_counter()
    if connection.vendor == "postgresql":  # the rows came with their ids: move the sequence past them
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('library_savedrequest', 'id'), "
                "(SELECT MAX(id) FROM library_savedrequest))"
            )
    build_search_indexes(search_sql, fts_table="library_savedrequest_fts",
                         tables=("library_savedrequest", "library_facet", "library_version"))
    print(f"  search index build: {time.perf_counter() - t1:.0f} s")


def _time(label: str, call, baseline: float | None = None, rows=lambda r: len(r.rows)) -> float:
    timing = repeat(call, REPEAT)
    print(line(label, timing, baseline, extra=f"  rows {rows(timing.result):>2}"))
    return timing.median


def _vacuum() -> None:
    """PostgreSQL: what autovacuum does soon after a bulk load (statistics, and the
    visibility map that lets the facet index answer alone)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("library_savedrequest", "library_facet"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def _deep(team, pages: int, **kw) -> Filters:
    """Filters positioned after `pages` pages of 50, reached the way the page's Next link
    goes (keyset cursors)."""
    filters = Filters(**kw)
    for _ in range(pages):
        page = search_library(team, filters, limit=50)
        filters = Filters(**{**kw, "after": position_of(filters.sort, page.rows[-1])})
    return filters


def _authors(team) -> list[int]:
    ids = []
    for i in range(20):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-author-{i:02d}")
        add_member(team, user)
        ids.append(user.id)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="delete and reload the rows")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    team = ensure_team("bench")
    authors = _authors(team)
    count = SavedRequest.objects.for_team(team).count()
    if args.fresh or count < REQUESTS:
        print(f"{connection.vendor}: loading {REQUESTS:,} saved requests x {VERSIONS} versions (had {count:,})")
        SavedRequest.objects.for_team(team).delete()
        _load(team.id, authors)
    _vacuum()
    print(f"{connection.vendor}: {SavedRequest.objects.for_team(team).count():,} saved requests in "
          f"team 'bench'; {REPEAT} timed runs per query")

    def run(**kw):
        return lambda: search_library(team, Filters(**kw))

    base = _time("baseline: first page, recently used", run())
    _time("text 'invoice' (5 % of requests)", run(q="invoice"), base)
    _time("text 'zebrafish' (0.1 %)", run(q="zebrafish"), base)
    _time("text 'quokka' (no match)", run(q="quokka"), base)
    _time("text 'in' (short: bounded scan)", run(q="in"), base)
    _time("tag 'tag07' (~3 %)", run(tag="tag07"), base)
    _time("model 'claude-opus-5' (12.5 %)", run(model="claude-opus-5"), base)
    _time("tool 'tool_03' (~5 %)", run(tool="tool_03"), base)
    _time("author 'bench-author-05' (5 %)", run(author="bench-author-05"), base)
    _time("tag + model + text 'invoice'", run(tag="tag07", model="claude-opus-5", q="invoice"), base)
    _time("tag + tool", run(tag="tag07", tool="tool_03"), base)
    _time("sort by name", run(sort="name"), base)
    deep_text = _deep(team, 19, q="invoice")
    _time("text 'invoice', page 20", lambda: search_library(team, deep_text), base)
    deep_tool = _deep(team, 60, tool="tool_03")
    _time("tool 'tool_03', page 61", lambda: search_library(team, deep_tool), base)
    edge = SavedRequest.objects.for_team(team).order_by("-used_at", "-id")[1999 * 50 - 1]
    last = Filters(after=position_of("used", edge))  # the row page 1,999 ends with
    _time("no filter, page 2,000 (rows 99,951-100,000)", lambda: search_library(team, last), base)
    print("target: every search under 100 ms")

    big = _state("lorem ipsum dolor " * (5 * 1024 * 1024 // 18), "sim-1", ["get_weather"])
    saved = SavedRequest.objects.for_team(team).order_by("id").first()
    user = get_user_model().objects.get(pk=authors[0])
    dump = _time("baseline: json.dumps of the 5 MB state", lambda: dumps(big), rows=lambda r: 1)
    _time("save_version of a 5 MB request", lambda: ops.save_version(saved, user, big, "bench"),
          dump, rows=lambda r: 1)
    print(f"  ({len(dumps(big)) / 1024 / 1024:.1f} MB of JSON)")
    print("target: saving a 5 MB version under 200 ms")


if __name__ == "__main__":
    main()
