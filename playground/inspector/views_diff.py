"""Diff two exchanges: request by JSON path, usage side by side, response text side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.inspector.access import exchanges_for, recent_choices, valid_id
from playground.inspector.conversation import response_text
from playground.inspector.diff import diff_requests, side_by_side
from playground.inspector.templatetags.inspector import ms, tokens, usd
from playground.inspector.views_exchange import response_message

USAGE_ROWS = (
    ("model", "model"), ("outcome", "outcome"), ("stop_reason", "stop_reason"),
    ("input tokens", "input_tokens"), ("cache read", "cache_read"),
    ("cache write", "cache_write_tokens"), ("output tokens", "output_tokens"),
    ("cost", "cost_usd"), ("first token", "first_token_ms"), ("total time", "duration_ms"),
)


def _shown(attr: str, value: object) -> str:
    if value is None or value == "":
        return "–"
    if attr.endswith("_ms"):
        return ms(value)
    if attr == "cost_usd":
        return usd(value)
    if isinstance(value, int):
        return tokens(value)
    return str(value)


def _older_first(request: HttpRequest, ids: list[str]) -> tuple[str, str]:
    order = dict(
        exchanges_for(request).filter(public_id__in=[i for i in ids if valid_id(i)])
        .values_list("public_id", "started_at")
    )
    if len(order) == 2:
        ids = sorted(ids, key=lambda i: order[i])
    return ids[0], ids[1]


@login_required
@require_GET
def exchange_diff(request: HttpRequest) -> HttpResponse:
    a_id = (request.GET.get("a") or "").strip()[:64]
    b_id = (request.GET.get("b") or "").strip()[:64]
    picked = [p.strip()[:64] for p in request.GET.getlist("pick") if p.strip()]
    if picked and not (a_id or b_id):
        # Two rows ticked in the list (or two thread steps): the older one is "a".
        if len(picked) != 2:
            ctx = {"nav": "exchanges", "a_id": "", "b_id": "", "recent": recent_choices(request),
                   "error": f"Tick exactly two exchanges to diff ({len(picked)} ticked)."}
            return render(request, "inspector/diff.html", ctx, status=400)
        a_id, b_id = _older_first(request, picked)
    ctx: dict = {"nav": "exchanges", "a_id": a_id, "b_id": b_id, "recent": recent_choices(request)}
    if not a_id or not b_id:
        return render(request, "inspector/diff.html", ctx)
    ids = [i for i in (a_id, b_id) if valid_id(i)]
    found = {e.public_id: e for e in exchanges_for(request).filter(public_id__in=ids)}
    a, b = found.get(a_id), found.get(b_id)
    if a is None or b is None:
        # Unknown and other teams' ids read the same: the form again, 404, no detail.
        missing = [i for i, e in ((a_id, a), (b_id, b)) if e is None]
        ctx["error"] = "No exchange with id " + " or ".join(repr(m) for m in missing) + "."
        return render(request, "inspector/diff.html", ctx, status=404)
    usage = [(label, _shown(attr, getattr(a, attr)), _shown(attr, getattr(b, attr))) for label, attr in USAGE_ROWS]
    ctx.update(
        a=a, b=b,
        request_diff=diff_requests(a.request_body, b.request_body),
        usage=usage,
        text_rows=side_by_side(response_text(response_message(a)), response_text(response_message(b))),
    )
    return render(request, "inspector/diff.html", ctx)
