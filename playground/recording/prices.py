"""The editable price table: seeded from `contract/prices.json`, read by the recorder.

Policy: prices are data. Staff edit them in the admin; the recorder reads the table at most
every `CACHE_SECONDS`, so an edit applies to exchanges finished a few seconds later. Costs
already recorded are not recomputed (they are what the table said at the time).
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

from playground.contract.pricing import DEFAULT_PRICES_PATH, find_price
from playground.recording.models import Price

CACHE_SECONDS = 5.0
_cache: tuple[float, list[dict]] | None = None
_lock = threading.Lock()
_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "web_search_per_1k")


def default_prices() -> list[dict]:
    data = json.loads(DEFAULT_PRICES_PATH.read_text())
    rows = []
    for entry in data["prices"]:
        row = {"model_pattern": entry["model_pattern"], "label": entry.get("label", "")}
        for field in _FIELDS:
            row[field] = Decimal(str(entry.get(field, "10" if field == "web_search_per_1k" else "0")))
        rows.append(row)
    return rows


def seed_prices(price_model=None) -> int:
    """Add the default rows that are missing (existing, possibly edited, rows are kept)."""
    if price_model is None:
        price_model = Price
    existing = set(price_model.objects.values_list("model_pattern", flat=True))
    new = [price_model(**row) for row in default_prices() if row["model_pattern"] not in existing]
    price_model.objects.bulk_create(new)
    invalidate()
    return len(new)


def invalidate() -> None:
    global _cache
    with _lock:
        _cache = None


def price_rows() -> list[dict]:
    global _cache
    with _lock:
        if _cache is not None and time.monotonic() - _cache[0] < CACHE_SECONDS:
            return _cache[1]
    rows = [p.as_dict() for p in Price.objects.all()]
    with _lock:
        _cache = (time.monotonic(), rows)
    return rows


def price_for(model: str) -> dict | None:
    """The price row that applies to `model` (exact id, undated alias, or longest glob)."""
    return find_price(model, price_rows())
