"""The library page, creating a saved request from pasted JSON, and the file doors.

- `GET  /library/`          search and filter (q, tag, model, tool, author, sort; cursor or
                            before: the row a page continues after or goes back before)
- `GET|POST /library/new`   a saved request from a pasted composer state
- `GET  /library/export`    the requests matching the page's filter, as a file
- `POST /library/import`    a file in; every problem listed with its JSON path, or all in
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from playground.library import files, ops
from playground.library.forms import parse_state, parse_tags
from playground.library.search import parse_filters, position_of, search_library, tag_choices
from playground.library.state import StateError, empty_state
from playground.recording.models import Exchange
from playground.teams.access import membership_for_request, require_write
from playground.teams.ops import team_for_request

MAX_IMPORT_BYTES = 256 * 1024 * 1024
EXPORT_LIMIT = 10_000


def _live_outcomes(team, rows) -> None:
    """Each row's last run outcome, read from its exchange when the recorder has it."""
    ids = [r.last_exchange_id for r in rows if r.last_exchange_id]
    found = dict(
        Exchange.objects.for_team(team).filter(public_id__in=ids).values_list("public_id", "outcome")
    ) if ids else {}
    for row in rows:
        row.outcome = found.get(row.last_exchange_id) or row.last_outcome


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    team = team_for_request(request)
    filters, notes = parse_filters(request.GET)
    page = search_library(team, filters)
    _live_outcomes(team, page.rows)
    membership = membership_for_request(request)
    ctx = {
        "nav": "library",
        "page": page,
        "f": filters,
        "notes": notes,
        "query": urlencode(filters.query_items()),
        "tags": tag_choices(team),
        "can_write": membership is not None and membership.can_write,
        "filtered": any((filters.q, filters.tag, filters.model, filters.tool, filters.author)),
    }
    if request.htmx and request.htmx.target == "library-results":
        return render(request, "library/list.html#results", ctx)
    return render(request, "library/list.html", ctx)


def _new_form(request, ctx: dict, status: int = 200) -> HttpResponse:
    return render(request, "library/new.html", {"nav": "library", **ctx}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        state = json.dumps({**empty_state(), "request": {
            "model": "sim-1", "max_tokens": 1024,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello!"}]}],
        }, "headers": {"anthropic-version": "2023-06-01"}}, indent=2)
        return _new_form(request, {"values": {"state": state}})
    membership = require_write(request)
    values = {k: request.POST.get(k, "") for k in ("name", "description", "tags", "state", "message")}
    try:
        saved = ops.create_saved_request(
            membership.team, request.user, values["name"], parse_state(values["state"]),
            description=values["description"], tags=parse_tags(values["tags"]),
            message=values["message"],
        )
    except StateError as exc:
        return _new_form(request, {"values": values, "problems": exc.problems})
    messages.success(request, "Saved as version 1.")
    return redirect(saved.get_absolute_url())


def _matching(team, params) -> list:
    """Every saved request matching the page's filter (from its first page), in its order."""
    filters, _ = parse_filters(params)
    filters.after = filters.before = None
    rows: list = []
    while len(rows) < EXPORT_LIMIT:
        page = search_library(team, filters, limit=500)
        rows += page.rows
        if not page.has_next:
            break
        filters = replace(filters, after=position_of(filters.sort, page.rows[-1]))
    return rows[:EXPORT_LIMIT]


@login_required
@require_GET
def export_collection(request: HttpRequest) -> HttpResponse:
    team = team_for_request(request)
    rows = _matching(team, request.GET)
    latest_only = request.GET.get("history") == "latest"
    text = files.export_text(rows, latest_only=latest_only)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "library/import.html", {"nav": "library"})
    membership = require_write(request)
    upload = request.FILES.get("file")
    problems: list[tuple[str, str]] = []
    if upload is None:
        problems = [("file", "choose a file exported from a library")]
    elif upload.size > MAX_IMPORT_BYTES:
        problems = [("file", f"is {upload.size} bytes, more than the {MAX_IMPORT_BYTES} allowed")]
    else:
        try:
            result = files.import_document(membership.team, request.user, upload.read())
        except files.ImportProblems as exc:
            problems = exc.problems
        else:
            count = len(result.requests)
            messages.success(
                request, f"Imported {count} saved request{'s' if count != 1 else ''} "
                f"({result.versions} version{'s' if result.versions != 1 else ''})."
            )
            return redirect("library:list")
    ctx = {"nav": "library", "problems": problems, "filename": getattr(upload, "name", "")}
    return render(request, "library/import.html", ctx)
