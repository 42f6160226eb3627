"""The team's share management: create a link, list the active ones, revoke.

Targets: an exchange, a thread, or a saved request (its latest version or a pinned one).
Members and owners create and revoke; viewers see the list and get a 403 on both writes.
Another team's share or target is a 404. A new link's token is shown once, on the page
that answers its creation: only its hash is kept.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from playground.inspector.access import valid_id
from playground.library.models import SavedRequest
from playground.recording.models import Exchange, Thread
from playground.sharing import ops
from playground.sharing.models import Share
from playground.teams.access import membership_for_request, writer_required
from playground.teams.ops import team_for_request


@login_required
@require_GET
def share_list(request: HttpRequest) -> HttpResponse:
    membership = membership_for_request(request)
    team = membership.team if membership else None
    shares = (
        Share.objects.for_team(team).active()
        .select_related("created_by", "exchange", "thread", "saved_request").order_by("-created", "-id")
    )
    return render(request, "sharing/list.html", {
        "nav": "shares", "shares": shares, "can_write": bool(membership and membership.can_write),
    })


TARGETS = {Share.EXCHANGE: ("exchange", Exchange), Share.THREAD: ("thread", Thread),
           Share.REQUEST: ("saved_request", SavedRequest)}


def _target(team, kind: str, public_id: str) -> dict:
    """{"exchange": row}, {"thread": row} or {"saved_request": row} of the team, else 404."""
    if not valid_id(public_id) or kind not in TARGETS:
        raise Http404("No such target.")
    field, model = TARGETS[kind]
    row = model.objects.for_team(team).filter(public_id=public_id).first()
    if row is None:
        raise Http404("No such target.")
    return {field: row}


@login_required
@require_POST
@writer_required
def share_create(request: HttpRequest) -> HttpResponse:
    team = team_for_request(request)
    kind = request.POST.get("kind", "")
    target = _target(team, kind, request.POST.get("target", ""))
    ctx: dict = {"nav": "shares", "kind": kind, "target": next(iter(target.values()))}
    try:
        expires_at = ops.expiry_from(request.POST.get("expires", ""))
        if "saved_request" in target:
            target["version_number"] = ops.version_from(request.POST.get("version", ""), target["saved_request"])
        share, token = ops.create_share(team, expires_at=expires_at, created_by=request.user, **target)
    except ops.SharingError as exc:
        ctx["error"] = str(exc)
        return render(request, "sharing/created.html", ctx, status=400)
    ctx.update(share=share, url=request.build_absolute_uri(f"/s/{token}"))
    template = "sharing/created.html#result" if request.htmx else "sharing/created.html"
    return render(request, template, ctx)


@login_required
@require_POST
@writer_required
def share_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    team = team_for_request(request)
    share = Share.objects.for_team(team).filter(public_id=public_id).first() if valid_id(public_id) else None
    if share is None:
        raise Http404("No such share.")
    ops.revoke_share(share, by=request.user)
    return redirect("sharing:list")
