"""Read helpers over recordings: every read starts from the owner team.

Policy:

* `search_exchanges` is the list page's one query: filters on indexed columns, an optional
  substring search over `search_text`, newest first, keyset pagination by (started_at, id)
  so page 1000 costs what page 1 costs. The search uses the pg_trgm GIN index on PostgreSQL
  and the FTS5 trigram table on SQLite (terms shorter than 3 characters search the newest
  20,000 exchanges that pass the other filters).
* List queries `defer()` the heavy columns (bodies, raw bytes, message, search text): a
  list page never carries media or bodies.
* `get_request_body` returns the request as it was sent, media rehydrated from the blob
  store; `request_body` on the row keeps the references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from playground.recording import media
from playground.recording.models import Blob, Exchange

HEAVY_FIELDS = (
    "request_headers",
    "request_body",
    "request_bytes",
    "response_headers",
    "response_body",
    "response_text",
    "message",
    "findings",
    "search_text",
)
MAX_QUERY = 200
SHORT_TERM_WINDOW = 20_000


def get_request_body(exchange: Exchange) -> object:
    """The full request body, with media references replaced by the original base64."""
    body = exchange.request_body

    def load(shas: list[str]) -> dict[str, bytes]:
        rows = Blob.objects.filter(sha256__in=shas, exchanges=exchange).values_list(
            "sha256", "data"
        )
        return {sha: bytes(data) for sha, data in rows}

    return media.rehydrate(body, load)


@dataclass
class Page:
    exchanges: list[Exchange]
    next_before: tuple[datetime, int] | None  # pass back as `before` for the next page


def _newest(qs: QuerySet) -> QuerySet:
    return qs.order_by("-started_at", "-id")


def _search_page(qs: QuerySet, query: str, limit: int) -> list[Exchange]:
    """`limit` rows of `qs` (already filtered and keyset-bounded) matching `query`."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return list(_newest(qs)[:limit])
    if len(query) < 3:
        # No trigram index serves a one- or two-character term: search the newest
        # SHORT_TERM_WINDOW exchanges that pass the other filters, a bounded scan.
        window = _newest(qs).values("id")[:SHORT_TERM_WINDOW]
        hits = qs.filter(id__in=window, search_text__icontains=query)
        return list(_newest(hits)[:limit])
    if connection.vendor == "postgresql":
        # The pg_trgm GIN index serves ILIKE on the bare column (Django's icontains spells
        # UPPER(col) LIKE UPPER(...), which the index cannot serve); the planner picks it or
        # the ordered index scan by the term's frequency.
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        hits = qs.extra(where=["recording_exchange.search_text ILIKE %s"], params=[pattern])
        return list(_newest(hits)[:limit])
    if connection.vendor != "sqlite":
        return list(_newest(qs.filter(search_text__icontains=query))[:limit])
    # SQLite: walk the FTS5 trigram matches newest rowid first (FTS5 reads its doclists in
    # rowid order, so LIMIT stops the walk early) and check the other filters on each hit by
    # primary key. Sorting all hits by started_at instead would cost a lookup per hit: half a
    # second for a term in 5 % of a million rows. Rowids follow recording order, which is
    # start order (imports aside), so the page is then put in (started_at, id) order.
    phrase = '"' + query.replace('"', '""') + '"'
    hits = qs.extra(
        tables=["recording_exchange_fts"],
        where=[
            "recording_exchange_fts.rowid = recording_exchange.id",
            "recording_exchange_fts MATCH %s",
        ],
        params=[phrase],
        order_by=["-recording_exchange_fts.rowid"],
    )
    rows = list(hits[:limit])
    rows.sort(key=lambda e: (e.started_at, e.id), reverse=True)
    return rows


def _no_nul(value):
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def search_exchanges(
    team,
    filters: dict | None = None,
    query: str = "",
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> Page:
    """One page of the team's exchanges, newest first.

    filters: model, provider, source, outcome, stop_reason, tool (a tool name used),
    has_error (bool), proxy_key (name), since / until (datetimes), thread (Thread id).
    """
    # Neither database accepts NUL in a text parameter (SQLite ends the string there,
    # PostgreSQL raises); no recorded text holds one, so it can only match as U+FFFD.
    filters = {k: _no_nul(v) for k, v in (filters or {}).items()}
    query = _no_nul(query)
    qs = Exchange.objects.for_team(team).defer(*HEAVY_FIELDS)
    for key in ("model", "provider", "source", "outcome", "stop_reason"):
        value = filters.get(key)
        if value:
            qs = qs.filter(**{key: value})
    if filters.get("tool"):
        qs = qs.filter(tool_names__contains=f" {filters['tool']} ")
    if filters.get("has_error") is True:
        qs = qs.exclude(error_type="")
    elif filters.get("has_error") is False:
        qs = qs.filter(error_type="")
    if filters.get("proxy_key"):
        qs = qs.filter(proxy_key_name=filters["proxy_key"])
    if filters.get("since"):
        qs = qs.filter(started_at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(started_at__lt=filters["until"])
    if filters.get("thread"):
        qs = qs.filter(thread_id=filters["thread"])
    if before is not None:
        started, pk = before
        # The redundant `started_at <= X` gives the index scan a start; the OR alone does not.
        qs = qs.filter(
            Q(started_at__lt=started) | Q(started_at=started, id__lt=pk), started_at__lte=started
        )
    rows = _search_page(qs, query or "", limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_before = (rows[-1].started_at, rows[-1].id) if more and rows else None
    return Page(rows, next_before)
