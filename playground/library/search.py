"""The library page's one query: a team's saved requests by text, tag, model, tool and
author, in order of recent use or by name.

Policy (target: under 100 ms p50 over 100,000 saved requests, bench/bench_library.py):

* Every filter has an index: model and author are columns of (team, ..., -used_at)
  indexes; tags and tool names are `Facet` rows indexed by (team, kind, value).
* Text (`q`) matches a substring of the name, description, tags, model, tool names and
  descriptions, and the request's text (its first SEARCH_CAP characters), through the
  pg_trgm GIN index on PostgreSQL and the FTS5 trigram table on SQLite. A term shorter
  than three characters has no trigram: it searches the SHORT_TERM_WINDOW most recently
  used requests that pass the other filters, a bounded scan.
* Pages are numbered (`page`), PAGE_SIZE rows each; no count is taken, the next page
  exists when one more row comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet

from playground.library.models import Facet, SavedRequest

PAGE_SIZE = 50
MAX_PAGE = 2000
MAX_QUERY = 200
SHORT_TERM_WINDOW = 5_000
CANDIDATES = 2_000
SORTS = {"used": ("-used_at", "-id"), "name": ("name", "id")}
LIST_FIELDS = (
    "id", "public_id", "team_id", "name", "description", "tags", "created_by__username",
    "updated", "used_at", "latest_number", "last_used_at", "last_outcome", "last_exchange_id",
    "last_version_number", "last_value_set", "model", "provider", "tool_names",
)


@dataclass
class Filters:
    q: str = ""
    tag: str = ""
    model: str = ""
    tool: str = ""
    author: str = ""
    sort: str = "used"
    page: int = 1

    def query_items(self, **changes) -> list[tuple[str, str]]:
        """The filters as URL query items (defaults left out), with `changes` applied."""
        values = {**self.__dict__, **changes}
        return [
            (k, str(v)) for k, v in values.items()
            if v and not (k == "sort" and v == "used") and not (k == "page" and v == 1)
        ]


@dataclass
class Page:
    rows: list[SavedRequest]
    number: int
    has_next: bool
    filters: Filters = field(default_factory=Filters)


def _clean(value: object, limit: int = MAX_QUERY) -> str:
    # Neither database accepts NUL in a parameter; no stored text holds one.
    return str(value or "").replace("\x00", "\ufffd").strip()[:limit]


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
    page = params.get("page") or "1"
    try:
        number = int(page)
        if not 1 <= number <= MAX_PAGE:
            raise ValueError
        filters.page = number
    except ValueError:
        notes.append(f"Page {str(page)[:20]!r} is not a page number from 1 to {MAX_PAGE}: showing page 1.")
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


def _text_set(query: str) -> tuple[str, list] | None:
    """The subquery of ids whose search text holds `query` (SQLite's FTS5 table)."""
    if connection.vendor != "sqlite":
        return None
    phrase = '"' + query.replace('"', '""') + '"'
    return (
        "SELECT rowid FROM library_savedrequest_fts WHERE library_savedrequest_fts MATCH %s",
        [phrase],
    )


def _pg_text(qs: QuerySet, query: str) -> QuerySet:
    # ILIKE on the bare column is what the pg_trgm GIN index serves (icontains wraps the
    # column in UPPER()).
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return qs.extra(where=["library_savedrequest.search_text ILIKE %s"], params=[pattern])


def _ordered(qs: QuerySet, order: tuple[str, ...], start: int, stop: int) -> list[SavedRequest]:
    return list(qs.select_related("created_by").only(*LIST_FIELDS).order_by(*order)[start:stop])


def _page_with_sets(
    qs: QuerySet, sets: list[tuple[str, list]], order: tuple[str, ...], start: int, stop: int
) -> list[SavedRequest]:
    """A page of `qs` restricted to ids in every subquery of `sets` (tags, tools and, on
    SQLite, text; PostgreSQL's text condition is already in `qs`).

    Left to themselves both planners go wrong at 100,000 requests.
    SQLite starts from the matches, looks each up and sorts them all (180 ms for a tag on
    3 % of requests): the unary `+` makes it walk the sort order's index instead, probing
    the sets, so a page stops at its 51st hit (FTS5 and the facet index build the sets).
    PostgreSQL cannot tell a trigram term in 0.1 % of requests from one in 5 %, and either
    plan is slow for the other: walking the sort order reads every row for a rare term
    (1.1 s), and checking every match first costs 13 us a row for a common one. So it is
    asked first, on the indexes' bitmaps only and unordered, for up to CANDIDATES matches:
    when that is all of them, just those are sorted; else the matches are common and a
    walk of the sort order ends soon (`IS TRUE` keeps each facet set a hashed subplan
    probed on the way; text is matched row by row).
    """
    if connection.vendor == "sqlite":
        return _ordered(_with_sets(qs, sets, "+library_savedrequest.id IN ({sql})"), order, start, stop)
    plain = _with_sets(qs, sets, "library_savedrequest.id IN ({sql})")
    if connection.vendor != "postgresql":
        return _ordered(plain, order, start, stop)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        ids = list(plain.order_by().values_list("id", flat=True)[: CANDIDATES + 1])
    if len(ids) <= CANDIDATES:
        return _ordered(SavedRequest.objects.filter(id__in=ids), order, start, stop)
    walk = _with_sets(qs, sets, "(library_savedrequest.id IN ({sql})) IS TRUE")
    return _ordered(walk, order, start, stop)


def search_library(team, filters: Filters, limit: int | None = None) -> Page:
    """One page (of `limit` rows, PAGE_SIZE by default) of the team's saved requests
    matching `filters`."""
    limit = limit or PAGE_SIZE
    order = SORTS.get(filters.sort, SORTS["used"])
    qs = SavedRequest.objects.for_team(team)
    if filters.model:
        qs = qs.filter(model=filters.model)
    if filters.author:
        qs = qs.filter(created_by__username=filters.author)
    sets: list[tuple[str, list]] = []
    for kind, value in ((Facet.TAG, filters.tag), (Facet.TOOL, filters.tool)):
        if value and team is not None:
            sets.append((
                "SELECT saved_request_id FROM library_facet "
                "WHERE team_id = %s AND kind = %s AND value = %s",
                [team.pk, kind, value],
            ))
    pg_text = False
    if filters.q and len(filters.q) < 3:
        qs = _short_term(qs, filters.q, order)
    elif filters.q and connection.vendor == "postgresql":
        qs = _pg_text(qs, filters.q)
        pg_text = True
    elif filters.q:
        text = _text_set(filters.q)
        if text is None:
            qs = qs.filter(search_text__icontains=filters.q)
        else:
            sets.append(text)
    start = (filters.page - 1) * limit
    if sets or pg_text:
        rows = _page_with_sets(qs, sets, order, start, start + limit + 1)
    else:
        rows = _ordered(qs, order, start, start + limit + 1)
    return Page(rows[:limit], filters.page, len(rows) > limit, filters)


def tag_choices(team, limit: int = 200) -> list[str]:
    """The team's tags, for the filter's suggestions."""
    return list(
        Facet.objects.filter(team=team, kind=Facet.TAG)
        .values_list("value", flat=True).distinct().order_by("value")[:limit]
    )
