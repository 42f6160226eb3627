"""What a request cost: pure arithmetic over `usage` and a price row (no Django, no I/O).

Policy:

* Prices are data, not code: USD per million tokens for input, output, cache writes (5 minute
  and 1 hour TTL) and cache reads, plus web search per thousand requests. The defaults live in
  `prices.json` next to this module; the app keeps an editable copy in the database.
* `input_tokens` is the uncached part of the prompt (the API's accounting), so the total is
  the sum of each count times its own rate, never a sum of overlapping counts.
* A cache write without the TTL breakdown (`cache_creation`) is priced as 5 minute writes,
  the API's default TTL.
* Lookup order for a model id: exact pattern, then the alias without a `-YYYYMMDD` date
  suffix, then the longest matching glob. No match means no price (cost unknown), never 0.
"""

from __future__ import annotations

import fnmatch
import re
from decimal import Decimal
from pathlib import Path

DEFAULT_PRICES_PATH = Path(__file__).with_name("prices.json")
_MILLION = Decimal(1_000_000)
_DATE_SUFFIX = re.compile(r"-\d{8}$")


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float) and value == value:  # not NaN
        return max(int(value), 0)
    return 0


def _rate(price: dict, key: str) -> Decimal:
    value = price.get(key)
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value))


def token_counts(usage: dict | None) -> dict[str, int]:
    """The billable counts in a `usage` object, with the cache write TTL split applied."""
    usage = usage if isinstance(usage, dict) else {}
    created = _int(usage.get("cache_creation_input_tokens"))
    breakdown = usage.get("cache_creation")
    if isinstance(breakdown, dict) and (
        "ephemeral_5m_input_tokens" in breakdown or "ephemeral_1h_input_tokens" in breakdown
    ):
        write_5m = _int(breakdown.get("ephemeral_5m_input_tokens"))
        write_1h = _int(breakdown.get("ephemeral_1h_input_tokens"))
        # The breakdown may lag the total (it comes from message_start only): whatever it
        # does not account for is priced at the default 5 minute rate.
        write_5m += max(created - write_5m - write_1h, 0)
    else:
        write_5m, write_1h = created, 0
    server = usage.get("server_tool_use")
    web_search = _int(server.get("web_search_requests")) if isinstance(server, dict) else 0
    return {
        "input": _int(usage.get("input_tokens")),
        "output": _int(usage.get("output_tokens")),
        "cache_write_5m": write_5m,
        "cache_write_1h": write_1h,
        "cache_read": _int(usage.get("cache_read_input_tokens")),
        "web_search": web_search,
    }


def cost_usd(usage: dict, price: dict) -> Decimal:
    """The cost of one response's `usage` at `price` (USD per million tokens)."""
    counts = token_counts(usage)
    tokens = (
        counts["input"] * _rate(price, "input")
        + counts["output"] * _rate(price, "output")
        + counts["cache_write_5m"] * _rate(price, "cache_write_5m")
        + counts["cache_write_1h"] * _rate(price, "cache_write_1h")
        + counts["cache_read"] * _rate(price, "cache_read")
    ) / _MILLION
    searches = counts["web_search"] * _rate(price, "web_search_per_1k") / Decimal(1000)
    return (tokens + searches).quantize(Decimal("0.00000001"))


def find_price(model: str, prices: list[dict]) -> dict | None:
    """The price row for `model`: exact id, then its undated alias, then the longest glob."""
    if not model:
        return None
    by_pattern = {p["model_pattern"]: p for p in prices}
    if model in by_pattern:
        return by_pattern[model]
    alias = _DATE_SUFFIX.sub("", model)
    if alias in by_pattern:
        return by_pattern[alias]
    globs = [
        p
        for p in prices
        if any(ch in p["model_pattern"] for ch in "*?[")
        and fnmatch.fnmatchcase(model, p["model_pattern"])
    ]
    if not globs:
        return None
    return max(globs, key=lambda p: len(p["model_pattern"]))
