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


def _count(value: object) -> int | None:
    """A token count as the API gives it, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def _rate(price: dict, key: str) -> Decimal:
    value = price.get(key)
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value))


def usage_counts(usage: object) -> dict:
    """The one normalisation of a `usage` object: what the recorder stores in its columns
    and what the cost is computed from. A count the usage does not give is None."""
    if not isinstance(usage, dict):
        return {}
    created = _count(usage.get("cache_creation_input_tokens"))
    breakdown = usage.get("cache_creation")
    if isinstance(breakdown, dict) and (
        "ephemeral_5m_input_tokens" in breakdown or "ephemeral_1h_input_tokens" in breakdown
    ):
        write_5m = _count(breakdown.get("ephemeral_5m_input_tokens")) or 0
        write_1h = _count(breakdown.get("ephemeral_1h_input_tokens")) or 0
        # The breakdown may lag the total (it comes from message_start only): whatever it
        # does not account for is priced at the default 5 minute rate.
        write_5m += max((created or 0) - write_5m - write_1h, 0)
    else:
        write_5m, write_1h = created, None
    server = usage.get("server_tool_use")
    return {
        "input_tokens": _count(usage.get("input_tokens")),
        "output_tokens": _count(usage.get("output_tokens")),
        "cache_creation_5m": write_5m,
        "cache_creation_1h": write_1h,
        "cache_read": _count(usage.get("cache_read_input_tokens")),
        "server_tool_use": {k: v for k, v in server.items() if _count(v) is not None}
        if isinstance(server, dict)
        else {},
    }


def cost_usd(usage: dict, price: dict) -> Decimal:
    """The cost of one response's `usage` at `price` (USD per million tokens)."""
    counts = usage_counts(usage)

    def n(name: str) -> int:
        return counts.get(name) or 0

    tokens = (
        n("input_tokens") * _rate(price, "input")
        + n("output_tokens") * _rate(price, "output")
        + n("cache_creation_5m") * _rate(price, "cache_write_5m")
        + n("cache_creation_1h") * _rate(price, "cache_write_1h")
        + n("cache_read") * _rate(price, "cache_read")
    ) / _MILLION
    searches = counts.get("server_tool_use", {}).get("web_search_requests", 0)
    return (tokens + searches * _rate(price, "web_search_per_1k") / Decimal(1000)).quantize(
        Decimal("0.00000001")
    )


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
