"""What the Django benchmarks share.

Timing: repeat a call and report its median and worst, in wall-clock milliseconds (server
time when the call is a query or a test-client request).

    timing = repeat(lambda: search(...), runs=7)     # one untimed warm-up call first
    print(line("tag filter", timing, baseline=base.median))
    page, share = alternate([get_page, get_share], runs=5)

The database, chosen before `django.setup()`: `kept_sqlite()` for data that is slow to load
and reused from run to run, `throwaway_sqlite()` for data made afresh each run (both defer
to DATABASE_URL when it is set). A benchmark that makes its data in a child process, so
that its own peak memory is the pages' alone, ends with `main_or_child()` and reads the
child's ids with `data_from_child()`.

The search benchmarks (library, list query) load the same kind of text the same way:
`vocabulary()`, `search_words()`, `drop_search_indexes()`, `insert_rows()`,
`build_search_indexes()`.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import connection

KEPT_DIR = Path("/tmp/playground-bench")


@dataclass
class Timing:
    times: list[float]  # ms, one per timed run
    result: Any = None  # what the last run returned

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def worst(self) -> float:
        return max(self.times)

    def pct(self, q: float) -> float:
        return pct(self.times, q)


def timed_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    t0 = time.perf_counter()
    result = call()
    return (time.perf_counter() - t0) * 1000, result


def repeat(call: Callable[[], Any], runs: int, warm: bool = True) -> Timing:
    """`runs` timed calls; with `warm`, one untimed call first fills the caches (a page is
    read repeatedly in real use too)."""
    if warm:
        call()
    timing = Timing([])
    for _ in range(runs):
        ms, timing.result = timed_ms(call)
        timing.times.append(ms)
    return timing


def alternate(calls: Sequence[Callable[[], Any]], runs: int) -> list[Timing]:
    """Each call timed `runs` times, taking turns, so a busy moment of a shared machine
    falls on all of them rather than on one."""
    timings = [Timing([]) for _ in calls]
    for _ in range(runs):
        for call, timing in zip(calls, timings, strict=True):
            ms, timing.result = timed_ms(call)
            timing.times.append(ms)
    return timings


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def line(label: str, timing: Timing, baseline: float | None = None, width: int = 46, extra: str = "") -> str:
    """`  label  median … ms  worst … ms<extra>  x… baseline`."""
    ratio = f"  x{timing.median / baseline:.1f} baseline" if baseline else ""
    return (f"  {label:<{width}} median {timing.median:7.1f} ms  worst {timing.worst:7.1f} ms"
            f"{extra}{ratio}")


def kept_sqlite(filename: str) -> None:
    """Point DATABASE_URL at `filename` in KEPT_DIR, unless it is set (and not empty)."""
    if not os.environ.get("DATABASE_URL"):
        KEPT_DIR.mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{KEPT_DIR / filename}"


def throwaway_sqlite(prefix: str) -> str | None:
    """Point DATABASE_URL at a SQLite file in a new temporary folder, unless it is set; the
    folder, for `main_or_child()` to remove, or None."""
    if "DATABASE_URL" in os.environ:
        return None
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return folder


def data_from_child(script: str) -> dict:
    """Runs `script --create` in a child process on the same database, prints what it
    printed and answers the ids its last line holds as JSON."""
    child = subprocess.run([sys.executable, script, "--create"], capture_output=True, text=True,
                           env=os.environ, timeout=600, check=True)
    *notes, ids_line = child.stdout.strip().splitlines()
    print("\n".join(notes))
    return json.loads(ids_line)


def main_or_child(create: Callable[[], None], main: Callable[[], None], folder: str | None) -> None:
    """A script's entry: with `--create` (the child) `create`; otherwise `main`, then the
    throwaway `folder` is removed, even when `main` fails."""
    if "--create" in sys.argv:
        create()
        sys.exit(0)
    try:
        main()
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def vocabulary(rng: random.Random) -> list[str]:
    """About 2,000 made-up words, none holding the terms the searches look for."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < 2000:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(w for w in words if "invoice" not in w and "zebra" not in w and "quokka" not in w)


def search_words(rng: random.Random, vocab: list[str]) -> tuple[list[str], float]:
    """40 words of one row's text, with "invoice" in 5 % of rows (a common term) and
    "zebrafish" in 0.1 % (rare); and the roll that placed them, for the caller's own rare
    traits."""
    words = rng.choices(vocab, k=40)
    roll = rng.random()
    if roll < 0.05:
        words[rng.randrange(40)] = "invoice"
    if roll < 0.001:
        words[rng.randrange(40)] = "zebrafish"
    return words, roll


def drop_search_indexes(search_sql: ModuleType, trgm_index: str) -> None:
    """Before a bulk load: drop the text search (SQLite: the FTS table and its triggers;
    PostgreSQL: the trigram index), to build it once at the end rather than row by row."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in search_sql.SQLITE_BACKWARD:
                cursor.execute(sql)
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {trgm_index}")


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows straight into `table`: through COPY on PostgreSQL, one executemany on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def build_search_indexes(search_sql: ModuleType, fts_table: str, tables: Sequence[str]) -> None:
    """After a bulk load: the text search built in one pass, and fresh planner statistics
    (PostgreSQL: of `tables`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in search_sql.SQLITE_FORWARD:
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts_table}({fts_table}) VALUES ('rebuild')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("SET maintenance_work_mem = '512MB'")  # a GIN build in memory
            for statement in search_sql.PG_FORWARD:
                cursor.execute(statement)
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
