"""The exchange list page, its rows (htmx "Load more", live updates) and the filter bar."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.inspector.access import exchanges_for, valid_id
from playground.inspector.listing import matching_row, page, parse_filters
from playground.recording.models import OUTCOMES, SOURCES
from playground.teams.ops import team_for_request


@login_required
@require_GET
def exchange_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request.GET)
    rows, next_cursor = page(team_for_request(request), filters, request.GET.get("cursor"))
    ctx = {
        "nav": "exchanges",
        "rows": rows,
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


@login_required
@require_GET
def exchange_row(request: HttpRequest, public_id: str) -> HttpResponse:
    """One row for the live list; empty when it does not match the page's filter."""
    exchange = (
        exchanges_for(request).filter(public_id=public_id).only("id", "started_at").first()
        if valid_id(public_id) else None
    )
    if exchange is None:
        raise Http404("No such exchange.")
    row = matching_row(team_for_request(request), parse_filters(request.GET), exchange)
    if row is None:
        return HttpResponse("", content_type="text/html; charset=utf-8")
    return render(request, "inspector/list.html#row", {"row": row})
