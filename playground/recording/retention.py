"""Retention: deleting old recordings by age or by total stored size.

Policy: the oldest exchanges go first, in chunks, each chunk in its own transaction, so a
prune of millions of rows never holds one long lock and can be interrupted safely. Blobs no
longer referenced by any exchange are deleted with them; threads left empty too. Sizes are
the recorder's own measure: each exchange's `stored_bytes` (bodies, message, raw events)
plus every blob once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Sum

from playground.recording.models import Blob, Exchange, Thread

CHUNK = 1000
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """"30d", "12h", "90m", "2w" -> timedelta."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30d, 12h, 90m)")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2].lower()])


def parse_size(text: str) -> int:
    """"2GB", "500MB", "1.5g", "1000" -> bytes (powers of 1024)."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 2GB, 500MB)")
    power = "bkmgt".index((match[2][:1] or "b").lower())
    return int(float(match[1]) * 1024**power)


def total_size() -> int:
    rows = Exchange.objects.aggregate(n=Sum("stored_bytes"))["n"] or 0
    blobs = Blob.objects.aggregate(n=Sum("size"))["n"] or 0
    return rows + blobs


def _delete(ids: list[int]) -> int:
    with transaction.atomic():
        thread_ids = set(
            Exchange.objects.filter(id__in=ids, thread__isnull=False).values_list(
                "thread_id", flat=True
            )
        )
        deleted = Exchange.objects.filter(id__in=ids).count()
        Exchange.objects.filter(id__in=ids).delete()
        Blob.objects.filter(exchanges__isnull=True).delete()
        Thread.objects.filter(id__in=thread_ids, exchanges__isnull=True).delete()
    return deleted


def prune_older_than(age: timedelta, dry_run: bool = False) -> int:
    cutoff = datetime.now(UTC) - age
    old = Exchange.objects.filter(started_at__lt=cutoff).exclude(outcome="streaming")
    if dry_run:
        return old.count()
    deleted = 0
    while True:
        ids = list(old.order_by("started_at", "id").values_list("id", flat=True)[:CHUNK])
        if not ids:
            return deleted
        deleted += _delete(ids)


def prune_to_size(max_bytes: int, dry_run: bool = False) -> int:
    """Delete the oldest finished exchanges until the total is at most `max_bytes`."""
    excess = total_size() - max_bytes
    deleted = 0
    seen_id = 0
    while excess > 0:
        rows = list(
            Exchange.objects.exclude(outcome="streaming")
            .filter(id__gt=seen_id if dry_run else 0)
            .order_by("started_at", "id")
            .values_list("id", "stored_bytes", "request_size")[:CHUNK]
        )
        if not rows:
            break
        ids = []
        for pk, stored, request_size in rows:
            ids.append(pk)
            # request_size bounds what the exchange's own blobs can free.
            excess -= max(stored, 1) + (request_size or 0)
            if excess <= 0:
                break
        if dry_run:
            deleted += len(ids)
            seen_id = ids[-1]
            continue
        deleted += _delete(ids)
        excess = total_size() - max_bytes
    return deleted
