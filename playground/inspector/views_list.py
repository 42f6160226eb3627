"""The exchange list page, its rows (htmx "Load more", live updates) and the filter bar."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.inspector.access import exchanges_for
from playground.inspector.listing import apply_filters, page, parse_filters, snippet
from playground.recording.models import OUTCOMES, SOURCES


def _decorate(rows: list) -> list:
    for row in rows:
        row.snippet = snippet(row)
        row.tool_list = (row.tool_names or "").split()
    return rows


@require_GET
def exchange_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request.GET)
    qs = apply_filters(exchanges_for(request), filters)
    rows, next_cursor = page(qs, request.GET.get("cursor"))
    ctx = {
        "nav": "exchanges",
        "rows": _decorate(rows),
        "next_cursor": next_cursor,
        "filters": filters,
        "f": filters.values,
        "query": filters.querystring(),
        "outcomes": OUTCOMES,
        "sources": SOURCES,
        "is_more": bool(request.GET.get("cursor")),
    }
    if request.htmx and request.GET.get("cursor"):
        # "Load more": only the next rows and the next button.
        return render(request, "inspector/list.html#more", ctx)
    return render(request, "inspector/list.html", ctx)


@require_GET
def exchange_row(request: HttpRequest, public_id: str) -> HttpResponse:
    """One row for the live list; empty when it does not match the page's filter."""
    own = exchanges_for(request).filter(public_id=public_id)
    if not own.exists():
        raise Http404("No such exchange.")
    rows, _ = page(apply_filters(own, parse_filters(request.GET)), None, size=1)
    if not rows:
        return HttpResponse("", content_type="text/html; charset=utf-8")
    return render(request, "inspector/list.html#row", {"row": _decorate(rows)[0]})
