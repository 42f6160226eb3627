"""The library page's one query: a team's saved requests by text, tag, model, tool and
author, in order of recent use or by name.

Policy (target: under 100 ms p50 over 100,000 saved requests, bench/bench_library.py):

* Every filter has an index: model and author are columns of (team, ..., -used_at)
  indexes; tags and tool names are `Facet` rows indexed by (team, kind, value,
  saved_request), so a facet's requests are read from the index alone.
* Text (`q`) matches a substring of the name, description, tags, model, tool names and
  descriptions, and the request's text (its first SEARCH_CAP characters), through the
  pg_trgm GIN index on PostgreSQL and the FTS5 trigram table on SQLite. A term shorter
  than three characters has no trigram: it searches the SHORT_TERM_WINDOW most recently
  used requests that pass the other filters, a bounded scan.
* Pages follow a keyset, never an offset: a cursor names the sort key and id of the row
  a page continues after (`cursor`) or goes back before (`before`), so page 2,000 costs
  what page 2 does. No count is taken; a next page exists when one more row comes back.
  A cursor that does not decode is ignored with a note (the first page is shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from playground.library.models import Facet, SavedRequest

PAGE_SIZE = 50
MAX_QUERY = 200
MAX_CURSOR = 2_000
SHORT_TERM_WINDOW = 5_000
CANDIDATES = 2_000
SORTS = {"used": ("-used_at", "-id"), "name": ("name", "id")}
LIST_FIELDS = (
    "id", "public_id", "team_id", "name", "description", "tags", "created_by__username",
    "updated", "used_at", "latest_number", "last_used_at", "last_outcome", "last_exchange_id",
    "last_version_number", "last_value_set", "model", "provider", "tool_names",
)
_MAX_ID = 2**63 - 1
# The ids of the team's requests carrying one tag or tool (params: team id, kind, value).
FACET_SET = (
    "SELECT saved_request_id FROM library_facet WHERE team_id = %s AND kind = %s AND value = %s"
)

Position = tuple[datetime | str, int]  # (sort key, id) of a row


@dataclass
class Filters:
    q: str = ""
    tag: str = ""
    model: str = ""
    tool: str = ""
    author: str = ""
    sort: str = "used"
    after: Position | None = None  # the page starts after this row
    before: Position | None = None  # the page ends before this row (going back)

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as URL query items, defaults and the page position left out."""
        values = {k: getattr(self, k) for k in ("q", "tag", "model", "tool", "author", "sort")}
        return [(k, str(v)) for k, v in values.items() if v and not (k == "sort" and v == "used")]


@dataclass
class Page:
    rows: list[SavedRequest]
    has_next: bool
    has_prev: bool = False
    filters: Filters = field(default_factory=Filters)

    @property
    def next_cursor(self) -> str:
        return encode_cursor(self.filters.sort, self.rows[-1]) if self.has_next and self.rows else ""

    @property
    def prev_cursor(self) -> str:
        return encode_cursor(self.filters.sort, self.rows[0]) if self.has_prev and self.rows else ""


def _clean(value: object, limit: int = MAX_QUERY) -> str:
    # Neither database accepts NUL in a parameter; no stored text holds one.
    return str(value or "").replace("\x00", "\ufffd").strip()[:limit]


def position_of(sort: str, row: SavedRequest) -> Position:
    """(sort key, id) of a row: the key is its name or its used_at."""
    return (row.name if sort == "name" else row.used_at), row.id


def encode_cursor(sort: str, row: SavedRequest) -> str:
    """`<sort key>~<id>` of a row: its used_at in ISO 8601, or its name."""
    key, pk = position_of(sort, row)
    return f"{key if isinstance(key, str) else key.isoformat()}~{pk}"


def decode_cursor(sort: str, text: str) -> Position | None:
    """(sort key, id) of a cursor for `sort`; None for anything that does not decode."""
    key, _, pk = str(text)[:MAX_CURSOR].rpartition("~")
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 19 or int(pk) > _MAX_ID:
        return None
    if sort == "name":
        # A name never holds NUL or an unpaired surrogate (ops.storable refuses them).
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return (key, int(pk)) if "\x00" not in key else None
    try:
        moment = parse_datetime(key)
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    try:
        # In UTC, as stored: an offset can carry year 1 or 9999 past the datetime range.
        return moment.astimezone(UTC), int(pk)
    except OverflowError:
        return None


def parse_filters(params) -> tuple[Filters, list[str]]:
    """Filters from a query dict; unusable values are ignored and named in the messages."""
    notes: list[str] = []
    filters = Filters(
        q=_clean(params.get("q")),
        tag=_clean(params.get("tag")),
        model=_clean(params.get("model")),
        tool=_clean(params.get("tool")),
        author=_clean(params.get("author"), 150),
    )
    if len(str(params.get("q") or "").strip()) > MAX_QUERY:
        notes.append(f"The search text was cut to {MAX_QUERY} characters.")
    sort = params.get("sort") or "used"
    if sort in SORTS:
        filters.sort = sort
    else:
        notes.append("Unknown sort order ignored: showing the most recently used first.")
    for name in ("cursor", "before"):
        text = params.get(name)
        if not text:
            continue
        position = decode_cursor(filters.sort, text)
        if position is None:
            notes.append(f"The page position {str(text)[:40]!r} is not one this list gave: showing the first page.")
            filters.after = filters.before = None
            break
        setattr(filters, "after" if name == "cursor" else "before", position)
    return filters, notes


def _with_sets(qs: QuerySet, sets: list[tuple[str, list]], form: str) -> QuerySet:
    for sql, params in sets:
        qs = qs.extra(where=[form.format(sql=sql)], params=params)
    return qs


def _short_term(qs: QuerySet, query: str, order: tuple[str, ...]) -> QuerySet:
    # No trigram serves a term under three characters: search the SHORT_TERM_WINDOW
    # requests first in the sort order (the window's edge is one index read), walking that
    # order until the page is full.
    field = order[0].lstrip("-")
    edge = list(
        qs.order_by(*order).values_list(field, flat=True)[SHORT_TERM_WINDOW - 1 : SHORT_TERM_WINDOW]
    )
    if edge:
        bound = "gte" if order[0].startswith("-") else "lte"
        qs = qs.filter(**{f"{field}__{bound}": edge[0]})
    return qs.filter(search_text__icontains=query)


def _pg_text(qs: QuerySet, query: str) -> QuerySet:
    # ILIKE on the bare column is what the pg_trgm GIN index serves (icontains wraps the
    # column in UPPER()).
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return qs.extra(where=["library_savedrequest.search_text ILIKE %s"], params=[pattern])


def _keyset(qs: QuerySet, order: tuple[str, ...], position: Position) -> QuerySet:
    """Rows of `qs` that come after `position` in `order`.

    The redundant `key <= X` (or `>=`) gives the index scan its start; the OR alone does not.
    """
    key, pk = position
    name = order[0].lstrip("-")
    past, bound = ("lt", "lte") if order[0].startswith("-") else ("gt", "gte")
    return qs.filter(
        Q(**{f"{name}__{past}": key}) | Q(**{name: key, f"id__{past}": pk}),
        **{f"{name}__{bound}": key},
    )


def _reverse(order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o[1:] if o.startswith("-") else f"-{o}" for o in order)


def _ordered(qs: QuerySet, order: tuple[str, ...], limit: int) -> list[SavedRequest]:
    return list(qs.select_related("created_by").only(*LIST_FIELDS).order_by(*order)[:limit])


def _facet_candidates(team, facets: list[tuple[str, str]], cap: int) -> list[int]:
    """Up to `cap` ids of the team's requests carrying every facet, read from the facet
    index alone (a few ms for CANDIDATES)."""
    (kind, value), *others = facets
    sql = FACET_SET
    params: list = [team.pk, kind, value]
    for other_kind, other_value in others:
        sql += f" AND saved_request_id IN ({FACET_SET})"
        params += [team.pk, other_kind, other_value]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, cap])
        return [row[0] for row in cursor.fetchall()]


def _pg_page(
    team, qs: QuerySet, facets: list[tuple[str, str]], text: bool, order: tuple[str, ...], limit: int
) -> list[SavedRequest]:
    """A page on PostgreSQL, whose planner goes wrong at 100,000 requests when left alone.

    It cannot tell a trigram term in 0.1 % of requests from one in 5 %, and either plan is
    slow for the other: walking the sort order reads every row for a rare term (1.1 s),
    and checking every match first costs 13 us a row for a common one. So a text search
    is asked first, on the indexes' bitmaps only and unordered, for up to CANDIDATES
    matches: when that is all of them, just those are sorted. Else (and for tags and tools
    on common facets, see `search_library`) the matches are common and a walk of the sort
    order (or of the model's or author's index) ends soon, each facet set a hashed subplan
    (`IS TRUE` keeps it one) read from the facet index, text matched row by row.
    """
    sets = [(FACET_SET, [team.pk, kind, value]) for kind, value in facets]
    if text:
        plain = _with_sets(qs, sets, "library_savedrequest.id IN ({sql})")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            ids = list(plain.order_by().values_list("id", flat=True)[: CANDIDATES + 1])
        if len(ids) <= CANDIDATES:
            return _ordered(SavedRequest.objects.filter(id__in=ids), order, limit)
    walk = _with_sets(qs, sets, "(library_savedrequest.id IN ({sql})) IS TRUE")
    return _ordered(walk, order, limit)


def _sqlite_page(
    team, qs: QuerySet, facets: list[tuple[str, str]], query: str, order: tuple[str, ...], limit: int
) -> list[SavedRequest]:
    """A page on SQLite, restricted to the ids of each tag, tool and FTS5 text match.

    Left to itself SQLite starts from the matches, looks each up and sorts them all
    (180 ms for a tag on 3 % of requests): the unary `+` makes it walk the sort order's
    index instead, probing the sets, so a page stops at its 51st hit.
    """
    sets = [(FACET_SET, [team.pk, kind, value]) for kind, value in facets]
    if query:
        phrase = '"' + query.replace('"', '""') + '"'
        sets.append((
            "SELECT rowid FROM library_savedrequest_fts WHERE library_savedrequest_fts MATCH %s",
            [phrase],
        ))
    return _ordered(_with_sets(qs, sets, "+library_savedrequest.id IN ({sql})"), order, limit)


def search_library(team, filters: Filters, limit: int | None = None) -> Page:
    """One page (of `limit` rows, PAGE_SIZE by default) of the team's saved requests
    matching `filters`, after `filters.after` or, going back, before `filters.before`."""
    limit = limit or PAGE_SIZE
    order = SORTS.get(filters.sort, SORTS["used"])
    backwards = filters.before is not None
    walk = _reverse(order) if backwards else order
    position = filters.before if backwards else filters.after
    qs = SavedRequest.objects.for_team(team)
    if filters.model:
        qs = qs.filter(model=filters.model)
    if filters.author:
        qs = qs.filter(created_by__username=filters.author)
    facets = [(k, v) for k, v in ((Facet.TAG, filters.tag), (Facet.TOOL, filters.tool)) if v]
    query = filters.q
    if query and len(query) < 3:
        qs = _short_term(qs, query, order)  # the window is counted from the first page
        query = ""
    if position is not None:
        qs = _keyset(qs, walk, position)
    rare = _facet_candidates(team, facets, CANDIDATES + 1) if facets and team and not query else None
    if team is None or not (facets or query):
        rows = _ordered(qs, walk, limit + 1)
    elif rare is not None and len(rare) <= CANDIDATES:
        # Few requests carry these tags and tools (or they seldom meet): sort just those.
        rows = _ordered(qs.filter(id__in=rare), walk, limit + 1)
    elif connection.vendor == "postgresql":
        if query:
            qs = _pg_text(qs, query)
        rows = _pg_page(team, qs, facets, bool(query), walk, limit + 1)
    elif connection.vendor == "sqlite":
        rows = _sqlite_page(team, qs, facets, query, walk, limit + 1)
    else:
        qs = qs.filter(search_text__icontains=query) if query else qs
        for kind, value in facets:
            qs = qs.filter(facets__kind=kind, facets__value=value)
        rows = _ordered(qs, walk, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        return Page(rows[::-1], has_next=True, has_prev=more, filters=filters)
    return Page(rows, has_next=more, has_prev=position is not None, filters=filters)


def tag_choices(team, limit: int = 200) -> list[str]:
    """The team's tags, for the filter's suggestions."""
    return list(
        Facet.objects.filter(team=team, kind=Facet.TAG)
        .values_list("value", flat=True).distinct().order_by("value")[:limit]
    )
