"""Timing for the benchmarks: repeat a call and report its median and worst, in wall-clock
milliseconds (server time when the call is a query or a test-client request).

    timing = repeat(lambda: search(...), runs=7)     # one untimed warm-up call first
    print(line("tag filter", timing, baseline=base.median))
    page, share = alternate([get_page, get_share], runs=5)
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


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
