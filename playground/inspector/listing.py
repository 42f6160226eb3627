"""The exchange list: filters from the URL, keyset pagination, newest first.

A filter is the query string itself (`?model=...&outcome=...&q=...`), so a URL can be
shared. The query is the recorder's `search_exchanges` (indexed filters, trigram text
search); this module only translates the URL. Pagination is by keyset on
(started_at, id), never OFFSET: the cursor is `<started_at ISO>~<id>`, so "Load more"
stays fast and stable while new exchanges arrive. Unknown or malformed parameters are
reported back as `errors` for the page and ignored, never a 500: impossible dates
(2026-02-30), years outside EARLIEST..LATEST (whose bounds keep "the end of the day plus one
microsecond" and time-zone shifts representable), and cursors that do not decode (a bad
date, an id past the database's 64-bit range) are all treated as absent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Substr
from django.utils.dateparse import parse_date, parse_datetime

from playground.recording.models import OUTCOMES, SOURCES, Exchange, Thread
from playground.recording.queries import search_exchanges

PAGE_SIZE = 50
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
_MAX_ID = 2**63 - 1
FILTER_KEYS = ("model", "provider", "source", "outcome", "stop_reason", "tool", "has_error",
               "key", "since", "until", "q", "thread")
SNIPPET_CHARS = 140


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
        # NUL cannot reach either database (PostgreSQL refuses it, FTS5 reads it as the
        # end of the string); the recorder stores it as U+FFFD, so search for that.
        value = (params.get(key) or "").replace("\x00", "\ufffd").strip()
        if value:
            filters.values[key] = value[:500]
    if filters.values.get("source") and filters.values["source"] not in dict(SOURCES):
        filters.errors.append(f"unknown source {filters.values.pop('source')!r}")
    if filters.values.get("outcome") and filters.values["outcome"] not in dict(OUTCOMES):
        filters.errors.append(f"unknown outcome {filters.values.pop('outcome')!r}")
    for key in ("since", "until"):
        if key not in filters.values:
            continue
        if _parsed(filters.values[key], end=key == "until") is None:
            filters.errors.append(f"{key}: not a date (use YYYY-MM-DD)")
            filters.values.pop(key)
        elif _when(filters.values[key], end=key == "until") is None:
            filters.errors.append(f"{key}: out of range (use a date from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d})")
            filters.values.pop(key)
    return filters


def _parsed(text: str, *, end: bool = False) -> dt.datetime | None:
    """The moment `text` names (a date or a datetime), or None when it names none."""
    try:
        moment = parse_datetime(text) if "T" in text or " " in text else None
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        # Normalised to UTC now, so an offset cannot push it out of range later.
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        # Well-formed but impossible (2026-02-30, 25:61, an offset of +99:00).
        return None


def _when(text: str, *, end: bool = False) -> dt.datetime | None:
    moment = _parsed(text, end=end)
    return moment if moment is not None and EARLIEST <= moment <= LATEST else None


def _criteria(filters: Filters, team=None) -> tuple[dict, str]:
    """The page's filters in `recording.queries.search_exchanges` terms."""
    v = filters.values
    crit: dict = {k: v[k] for k in ("model", "provider", "source", "outcome", "stop_reason", "tool") if v.get(k)}
    if v.get("key"):
        crit["proxy_key"] = v["key"]
    if v.get("has_error") in ("1", "yes", "true", "on"):
        crit["has_error"] = True
    elif v.get("has_error") in ("0", "no", "false"):
        crit["has_error"] = False
    if v.get("since"):
        crit["since"] = _when(v["since"])
    if v.get("until"):
        # A date means the whole day: before the next midnight.
        end = _when(v["until"], end=True)
        crit["until"] = end + dt.timedelta(microseconds=1) if end else None
    if v.get("thread"):
        # A thread of another team (or none) matches nothing: id -1 never exists.
        found = (
            Thread.objects.for_team(team).filter(public_id=v["thread"]).values_list("id", flat=True).first()
            if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", v["thread"]) else None
        )
        crit["thread"] = found or -1
    return crit, v.get("q", "")


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    return f"{moment.isoformat()}~{pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    """(moment, id) of a cursor; None for anything else (a bad cursor means the first page)."""
    when, _, pk = cursor.rpartition("~")
    if not when or not (pk.isascii() and pk.isdigit()) or len(pk) > 19 or int(pk) > _MAX_ID:
        return None
    moment = _when(when) if "T" in when or " " in when else None
    return (moment, int(pk)) if moment is not None else None


def page(team, filters: Filters, cursor: str | None, size: int | None = None) -> tuple[list[Exchange], str | None]:
    """One page of the team's exchanges, newest first, and the next page's cursor."""
    crit, query = _criteria(filters, team)
    result = search_exchanges(team, crit, query, before=decode_cursor(cursor) if cursor else None,
                              limit=size or PAGE_SIZE)
    rows = result.exchanges
    _attach_display(rows)
    nxt = encode_cursor(*result.next_before) if result.next_before else None
    return rows, nxt


def matching_row(team, filters: Filters, exchange: Exchange) -> Exchange | None:
    """`exchange` as a list row when it matches the filters, else None.

    The newest matching row at or before this exchange's own keyset position is the
    exchange itself exactly when it matches: the same query as the page, so the live row
    and the page can never disagree.
    """
    crit, query = _criteria(filters, team)
    result = search_exchanges(team, crit, query, before=(exchange.started_at, exchange.id + 1), limit=1)
    rows = [r for r in result.exchanges if r.id == exchange.id]
    _attach_display(rows)
    return rows[0] if rows else None


def _attach_display(rows: list[Exchange]) -> None:
    """Snippet and user name for each row in two queries (the list defers heavy columns)."""
    if not rows:
        return
    ids = [r.id for r in rows]
    snippets = dict(
        Exchange.objects.filter(id__in=ids).annotate(snip=Substr("search_text", 1, SNIPPET_CHARS * 2))
        .values_list("id", "snip")
    )
    user_ids = {r.user_id for r in rows if r.user_id}
    names = dict(get_user_model().objects.filter(id__in=user_ids).values_list("id", "username")) if user_ids else {}
    for r in rows:
        text = " ".join((snippets.get(r.id) or "").split())
        r.snippet = text[:SNIPPET_CHARS] + "…" if len(text) > SNIPPET_CHARS else text
        r.username = names.get(r.user_id, "")
        r.tool_list = (r.tool_names or "").split()




def export_ids(team, filters: Filters, limit: int) -> tuple[list[int], bool]:
    """Ids of the newest `limit` exchanges the list shows under `filters` (the same query as
    the pages, walked page by page), and whether more matched."""
    crit, query = _criteria(filters, team)
    ids: list[int] = []
    before = None
    while len(ids) < limit:
        result = search_exchanges(team, crit, query, before=before, limit=min(PAGE_SIZE * 4, limit - len(ids)))
        ids.extend(row.id for row in result.exchanges)
        if result.next_before is None:
            return ids, False
        before = result.next_before
    more = search_exchanges(team, crit, query, before=before, limit=1).exchanges
    return ids, bool(more)
