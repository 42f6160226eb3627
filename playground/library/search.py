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

from django.db import connection
from django.db.models import QuerySet

from playground.library.models import Facet, SavedRequest

PAGE_SIZE = 50
MAX_PAGE = 2000
MAX_QUERY = 200
SHORT_TERM_WINDOW = 20_000
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


def _in(qs: QuerySet, sql: str, params: list) -> QuerySet:
    """Rows whose id is in a subquery's result (facet or text matches).

    On SQLite the unary `+` keeps the planner from starting at the subquery (look up every
    match, then sort them all: 180 ms for a tag on 3 % of 100,000 requests). It walks the
    sort order's index instead and probes the list, so a page stops after its 51st hit.
    """
    plus = "+" if connection.vendor == "sqlite" else ""
    return qs.extra(where=[f"{plus}library_savedrequest.id IN ({sql})"], params=params)


def _text_filter(qs: QuerySet, query: str, order: tuple[str, ...]) -> QuerySet:
    if len(query) < 3:
        # No trigram serves this: search the SHORT_TERM_WINDOW requests first in the sort
        # order (the window's edge is one index read), walking that order until the page
        # is full.
        field = order[0].lstrip("-")
        edge = list(
            qs.order_by(*order).values_list(field, flat=True)[SHORT_TERM_WINDOW - 1 : SHORT_TERM_WINDOW]
        )
        if edge:
            bound = "gte" if order[0].startswith("-") else "lte"
            qs = qs.filter(**{f"{field}__{bound}": edge[0]})
        return qs.filter(search_text__icontains=query)
    if connection.vendor == "postgresql":
        # ILIKE on the bare column is what the pg_trgm GIN index serves (icontains wraps
        # the column in UPPER()).
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return qs.extra(where=["library_savedrequest.search_text ILIKE %s"], params=[pattern])
    if connection.vendor == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'
        return _in(
            qs,
            "SELECT rowid FROM library_savedrequest_fts WHERE library_savedrequest_fts MATCH %s",
            [phrase],
        )
    return qs.filter(search_text__icontains=query)


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
    for kind, value in ((Facet.TAG, filters.tag), (Facet.TOOL, filters.tool)):
        if value and team is not None:
            qs = _in(
                qs,
                "SELECT saved_request_id FROM library_facet "
                "WHERE team_id = %s AND kind = %s AND value = %s",
                [team.pk, kind, value],
            )
    if filters.q:
        qs = _text_filter(qs, filters.q, order)
    start = (filters.page - 1) * limit
    rows = list(
        qs.select_related("created_by").only(*LIST_FIELDS).order_by(*order)[start : start + limit + 1]
    )
    return Page(rows[:limit], filters.page, len(rows) > limit, filters)


def tag_choices(team, limit: int = 200) -> list[str]:
    """The team's tags, for the filter's suggestions."""
    return list(
        Facet.objects.filter(team=team, kind=Facet.TAG)
        .values_list("value", flat=True).distinct().order_by("value")[:limit]
    )
