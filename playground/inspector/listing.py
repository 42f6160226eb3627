"""The exchange list: filters from the URL, keyset pagination, newest first.

A filter is the query string itself (`?model=...&outcome=...&q=...`), so a URL can be
shared. Pagination is by keyset on (started_at, id), never OFFSET: the cursor is the
last row's `<started_at ISO>~<id>`, so "Load more" stays fast and stable while new
exchanges arrive. Unknown or malformed parameters are ignored (reported back as
`errors` for the page), never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from playground.recording.models import OUTCOMES, SOURCES, Exchange

PAGE_SIZE = 50
FILTER_KEYS = ("model", "provider", "source", "outcome", "stop_reason", "tool", "has_error",
               "key", "since", "until", "q")
ERROR_OUTCOMES = ("upstream_error", "error_mid_stream", "rejected", "timeout")
LIST_COLUMNS = (
    "id", "public_id", "started_at", "source", "model", "provider", "stop_reason", "outcome",
    "input_tokens", "output_tokens", "cache_read", "cache_creation_5m", "cache_creation_1h",
    "cost_usd", "first_token_ms", "duration_ms", "tool_names", "proxy_key_name", "user_id",
    "status", "error_type", "thread_id", "search_text", "user__username",
)


@dataclass
class Filters:
    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def querystring(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.values.items() if v})


def parse_filters(params) -> Filters:
    filters = Filters()
    for key in FILTER_KEYS:
        value = (params.get(key) or "").strip()
        if value:
            filters.values[key] = value[:500]
    if filters.values.get("source") and filters.values["source"] not in dict(SOURCES):
        filters.errors.append(f"unknown source {filters.values.pop('source')!r}")
    if filters.values.get("outcome") and filters.values["outcome"] not in dict(OUTCOMES):
        filters.errors.append(f"unknown outcome {filters.values.pop('outcome')!r}")
    for key in ("since", "until"):
        if key in filters.values and _when(filters.values[key], end=key == "until") is None:
            filters.errors.append(f"{key}: not a date (use YYYY-MM-DD)")
            filters.values.pop(key)
    return filters


def _when(text: str, *, end: bool = False) -> dt.datetime | None:
    moment = parse_datetime(text) if "T" in text or " " in text else None
    if moment is None:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            return None
        moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def apply_filters(qs: QuerySet[Exchange], filters: Filters) -> QuerySet[Exchange]:
    v = filters.values
    for key in ("model", "provider", "source", "outcome", "stop_reason"):
        if v.get(key):
            qs = qs.filter(**{key: v[key]})
    if v.get("key"):
        qs = qs.filter(proxy_key_name=v["key"])
    if v.get("tool"):
        # tool_names is stored space-padded (" a b "), so a word match is a substring match.
        qs = qs.filter(tool_names__contains=f" {v['tool']} ")
    if v.get("has_error") in ("1", "yes", "true", "on"):
        qs = qs.filter(Q(outcome__in=ERROR_OUTCOMES) | ~Q(error_type=""))
    elif v.get("has_error") in ("0", "no", "false"):
        qs = qs.exclude(outcome__in=ERROR_OUTCOMES).filter(error_type="")
    if v.get("since"):
        qs = qs.filter(started_at__gte=_when(v["since"]))
    if v.get("until"):
        qs = qs.filter(started_at__lte=_when(v["until"], end=True))
    if v.get("q"):
        for word in v["q"].split()[:8]:
            qs = qs.filter(search_text__icontains=word)
    return qs


def encode_cursor(exchange) -> str:
    return f"{exchange.started_at.isoformat()}~{exchange.id}"


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    when, _, pk = cursor.rpartition("~")
    moment = parse_datetime(when) if when else None
    if moment is None or not pk.isdigit():
        return None
    return moment, int(pk)


def page(qs: QuerySet[Exchange], cursor: str | None, size: int | None = None) -> tuple[list[Exchange], str | None]:
    """One page, newest first, and the cursor of the next page (None at the end)."""
    size = size or PAGE_SIZE
    qs = qs.select_related("user").only(*LIST_COLUMNS).order_by("-started_at", "-id")
    key = _decode_cursor(cursor) if cursor else None
    if key:
        when, pk = key
        qs = qs.filter(Q(started_at__lt=when) | Q(started_at=when, id__lt=pk))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def snippet(exchange: Exchange, limit: int = 140) -> str:
    """A one-line excerpt of the conversation (search_text holds the newest text first)."""
    text = " ".join((exchange.search_text or "")[: limit * 2].split())
    return text[:limit] + "…" if len(text) > limit else text
