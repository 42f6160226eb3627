"""The exchange page: summary, tabs (each its own htmx partial), code, raw bodies, media.

Policy: only the selected tab's data is computed, so a 100,000-event exchange costs the
timeline query only when the timeline is open; headers are redacted again at display
(defence in depth: the recorder already did); media is served from the blob store only
for blobs referenced by an exchange of the reader's team, images inline, anything else
as an attachment.
"""

from __future__ import annotations

import json
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.http import require_GET

from playground.contract import codegen
from playground.inspector.access import exchange_for, recent_choices
from playground.inspector.charts import line_chart
from playground.inspector.conversation import build_turns, tools_used
from playground.inspector.prompt_cache import cache_report
from playground.inspector.timeline import one_event, page_of_events, stats_for
from playground.library.queries import run_origin
from playground.recording.models import Exchange
from playground.recording.queries import get_request_body
from playground.recording.redact import redact_headers
from playground.sharing.comments import page_context as sharing_context

TABS = ("conversation", "request", "response", "timeline", "headers", "cache", "findings")
CODE_LANGS = (("curl", "curl"), ("python", "Python"), ("typescript", "TypeScript"))
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def usage_of(exchange: Exchange) -> dict:
    """The exchange's usage in the API's shape, from the recorded columns."""
    usage: dict = {}
    if exchange.input_tokens is not None:
        usage["input_tokens"] = exchange.input_tokens
    if exchange.output_tokens is not None:
        usage["output_tokens"] = exchange.output_tokens
    if exchange.cache_read is not None:
        usage["cache_read_input_tokens"] = exchange.cache_read
    if exchange.cache_creation_5m is not None or exchange.cache_creation_1h is not None:
        usage["cache_creation_input_tokens"] = exchange.cache_write_tokens
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": exchange.cache_creation_5m or 0,
            "ephemeral_1h_input_tokens": exchange.cache_creation_1h or 0,
        }
    return usage


def response_message(exchange: Exchange) -> dict | None:
    """The assistant Message: rebuilt from the stream, else the JSON body when it is one."""
    if isinstance(exchange.message, dict):
        return exchange.message
    body = exchange.response_body
    if isinstance(body, dict) and body.get("type") == "message":
        return body
    return None


def _live_template_exists() -> bool:
    try:
        get_template("composer/_live.html")
    except TemplateDoesNotExist:
        return False
    return True


def _previous_step(exchange: Exchange) -> Exchange | None:
    if exchange.parent_id is None:
        return None
    return Exchange.objects.filter(pk=exchange.parent_id, team_id=exchange.team_id).first()


def _neighbours(exchange: Exchange) -> dict:
    """Public ids of the previous and next thread steps (for the one-click step diffs)."""
    same_team = Exchange.objects.filter(team_id=exchange.team_id)
    previous = (
        same_team.filter(pk=exchange.parent_id).values_list("public_id", flat=True).first()
        if exchange.parent_id else None
    )
    following = (
        same_team.filter(parent_id=exchange.pk, retry_of__isnull=True)
        .order_by("branch", "started_at").values_list("public_id", flat=True).first()
    )
    return {"previous_id": previous, "next_id": following}


def tab_context(request: HttpRequest, exchange: Exchange, tab: str) -> dict:
    """The data of one tab (a share of the exchange shows the same tabs, minus some)."""
    ctx: dict = {}
    message = response_message(exchange)
    if tab == "conversation":
        ctx["turns"] = build_turns(exchange.request_body, message)
    elif tab == "request":
        ctx["request_json"] = exchange.request_body
    elif tab == "response":
        ctx["message"] = message
        ctx["response_body"] = exchange.response_body
    elif tab == "timeline":
        part = request.GET.get("part", "")
        stats = stats_for(exchange, gaps="all" if part == "gaps" else "auto")
        if part == "gaps":
            # The deferred partial: only the gap list, nothing else of the tab.
            return {"stats": stats, "part": part}
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            page = 1
        rows, pages = page_of_events(exchange, page, stats)
        ctx["event"] = one_event(exchange, request.GET.get("event", ""))
        ctx.update(stats=stats, rows=rows, pages=pages, page=min(max(page, 1), pages), part=part,
                   chart=line_chart(stats.points, title="output tokens over time (estimated)"))
    elif tab == "headers":
        ctx["request_headers"] = redact_headers(exchange.request_headers)
        ctx["response_headers"] = redact_headers(exchange.response_headers)
    elif tab == "cache":
        previous = _previous_step(exchange)
        ctx["previous"] = previous
        ctx["cache"] = cache_report(
            exchange.request_body, usage_of(exchange), previous.request_body if previous else None
        )
    elif tab == "findings":
        ctx["findings"] = [f for f in exchange.findings or [] if isinstance(f, dict)]
    return ctx


@login_required
@require_GET
def exchange_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    exchange = exchange_for(request, public_id)
    tab = request.GET.get("tab", "conversation")
    if tab not in TABS:
        tab = "conversation"
    if tab == "timeline" and request.GET.get("part") == "gaps":
        return render(request, "inspector/exchange.html#gaps", tab_context(request, exchange, tab))
    message = response_message(exchange)
    ctx = {
        "nav": "exchanges",
        "exchange": exchange,
        "tab": tab,
        "tabs": TABS,
        "code_langs": CODE_LANGS,
        "usage": usage_of(exchange),
        "tools": tools_used(message),
        "error_count": sum(1 for f in exchange.findings or [] if isinstance(f, dict) and f.get("severity") == "error"),
        "finding_count": len(exchange.findings or []) + len(exchange.anomalies or []),
        "show_live": exchange.in_flight and _live_template_exists(),
        "recent": recent_choices(request),
        "origin": run_origin(exchange.team, exchange.public_id),
        **_neighbours(exchange),
        **tab_context(request, exchange, tab),
        **sharing_context(request, exchange=exchange),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "inspector/exchange.html#tab-panel", ctx)
    return render(request, "inspector/exchange.html", ctx)


def _full_request_body(exchange: Exchange) -> object:
    """The request as sent: media references replaced by the stored base64 again."""
    return get_request_body(exchange)


def _header_pairs(exchange: Exchange) -> list[tuple[str, str]]:
    return [(str(p[0]), str(p[1])) for p in exchange.request_headers or [] if isinstance(p, list | tuple) and len(p) == 2]


@login_required
@require_GET
def exchange_code(request: HttpRequest, public_id: str, lang: str) -> HttpResponse:
    """The request as curl / Python / TypeScript, as text (copy buttons fetch it)."""
    exchange = exchange_for(request, public_id)
    generate = codegen.GENERATORS.get(lang)
    if generate is None:
        raise Http404("Unknown language.")
    text = generate(_full_request_body(exchange), _header_pairs(exchange), path=exchange.path or "/v1/messages")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def exchange_raw(request: HttpRequest, public_id: str, part: str) -> HttpResponse:
    """Raw downloads: the request JSON (media included), the response JSON or SSE text."""
    exchange = exchange_for(request, public_id)
    if part == "request.json":
        content = json.dumps(_full_request_body(exchange), ensure_ascii=False, indent=2)
        ctype = "application/json"
    elif part == "response.json":
        content = json.dumps(response_message(exchange) or exchange.response_body, ensure_ascii=False, indent=2)
        ctype = "application/json"
    elif part == "response.sse":
        from playground.recording.events import raw_stream

        content = raw_stream(exchange)
        ctype = "text/plain"
    else:
        raise Http404("Unknown part.")
    response = HttpResponse(content, content_type=f"{ctype}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exchange.public_id}-{part}"'
    return response


@login_required
@require_GET
def exchange_media(request: HttpRequest, public_id: str, sha256: str) -> HttpResponse:
    """A blob the exchange references (thumbnails): the team check comes from the exchange."""
    exchange = exchange_for(request, public_id)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise Http404("No such media.")
    blob = exchange.blobs.filter(sha256=sha256).first()
    if blob is None:
        raise Http404("No such media.")
    if blob.media_type in IMAGE_TYPES:
        response = HttpResponse(bytes(blob.data), content_type=blob.media_type)
        response["Content-Disposition"] = "inline"
    else:
        response = HttpResponse(bytes(blob.data), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{sha256[:12]}"'
    # Never let a browser run recorded bytes as a page, whatever they hold.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
