"""Exports of what the inspector shows: the exchange list as filtered, or a whole thread.

Two formats:

* JSON Lines in the `export_exchanges` schema (docs/recording.md), so a file from the page
  and a file from the command read the same and `import_exchanges` takes either.
* One self-contained HTML file a teammate can open offline: styles inline, images inline as
  data: URLs, no script, and a Content-Security-Policy in the file itself that forbids
  loading anything, so recorded model output stays inert wherever the file is opened.

Both carry exactly what the recording holds, which was redacted at capture (the same policy
as every export). The list export stops at EXPORT_LIMIT exchanges and says so.
"""

from __future__ import annotations

import base64

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from playground.inspector.access import thread_for
from playground.inspector.conversation import Block, build_turns
from playground.inspector.listing import export_ids, parse_filters
from playground.inspector.views_exchange import response_message
from playground.recording import transfer
from playground.recording.models import Blob, Exchange
from playground.recording.queries import get_request_body
from playground.teams.ops import team_for_request

EXPORT_LIMIT = 5000
HTML_INLINE_IMAGE_BYTES = 2_000_000  # larger images are named, not embedded
FORMATS = ("jsonl", "html")
STYLESHEETS = ("playground/base.css", "inspector/inspector.css")
# The file forbids every fetch: styles are inline, images are data: URLs, there is no script.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _full_rows(ids: list[int], team) -> list[Exchange]:
    rows = Exchange.objects.for_team(team).filter(id__in=ids).exclude(outcome="streaming").select_related(
        "team", "user", "thread", "parent", "retry_of"
    )
    return sorted(rows, key=lambda e: (e.started_at, e.id))


def _stylesheet() -> str:
    parts = []
    for name in STYLESHEETS:
        path = finders.find(name)
        if path:
            with open(path, encoding="utf-8") as css:
                parts.append(css.read())
    return "\n".join(parts)


def _embed_images(blocks: list[Block], team) -> None:
    """Blob-stored images become data: URLs, so the file needs no server to show them."""
    for block in blocks:
        _embed_images(block.children, team)
        if block.blob and block.media_type.startswith("image/"):
            blob = Blob.objects.filter(sha256=block.blob).only("data", "size").first()
            if blob is not None and blob.size <= HTML_INLINE_IMAGE_BYTES:
                block.inline_data = base64.b64encode(bytes(blob.data)).decode("ascii")
        block.blob = ""


def _html_items(rows: list[Exchange], team) -> list[dict]:
    items = []
    for exchange in rows:
        turns = build_turns(get_request_body(exchange), response_message(exchange))
        for turn in turns:
            _embed_images(turn.blocks, team)
        items.append({"exchange": exchange, "turns": turns})
    return items


def _download(rows: list[Exchange], fmt: str, title: str, filename: str, team, note: str = "") -> HttpResponse:
    if fmt == "jsonl":
        response: HttpResponse = StreamingHttpResponse(
            transfer.export_lines(rows), content_type="application/x-ndjson; charset=utf-8"
        )
    else:
        html = render_to_string("inspector/export.html", {
            "title": title, "items": _html_items(rows, team), "note": note, "css": _stylesheet(),
            "csp": FILE_CSP, "exported_at": timezone.now(),
        })
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = FILE_CSP
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    if note:
        response["X-Export-Note"] = note
    return response


@login_required
@require_GET
def list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """What the exchange list shows under the same filters, oldest first."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    team = team_for_request(request)
    ids, truncated = export_ids(team, parse_filters(request.GET), EXPORT_LIMIT)
    note = f"Only the newest {EXPORT_LIMIT} matching exchanges are exported." if truncated else ""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return _download(_full_rows(ids, team), fmt, "Exchanges", f"exchanges-{stamp}", team, note)


@login_required
@require_GET
def thread_export(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    """Every exchange of a thread, in step order."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    thread = thread_for(request, public_id)
    team = team_for_request(request)
    ids = list(Exchange.objects.for_team(team).filter(thread=thread).values_list("id", flat=True))
    title = f"Thread {thread.title or thread.public_id}"
    return _download(_full_rows(ids, team), fmt, title, f"thread-{thread.public_id}", team)
