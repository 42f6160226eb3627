"""Comments on a turn or block of an exchange or thread: add and delete (team only).

Writers add; the author (or a team owner) deletes; viewers read only (403 on writes).
Both forms work without JavaScript: they answer with a redirect back to the page, at the
block's anchor. Bad input is shown inline on a small page that links back.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from playground.inspector.access import valid_id
from playground.inspector.views_exchange import response_message
from playground.recording.models import Exchange, Thread
from playground.sharing import ops
from playground.sharing.models import Comment
from playground.teams.access import membership_for_request, require_write

SLOT = re.compile(r"(?:turn-([0-9]{1,6})|(system))-block-([0-9]{1,6})")


def _slot(value: str) -> tuple[int | None, int] | None:
    """(turn, block) from a link such as `turn-3-block-2`; turn None for the system
    prompt's `system-block-0`."""
    match = SLOT.fullmatch(value)
    if not match:
        return None
    return (None if match[2] else int(match[1])), int(match[3])


def _blocks_in(content: object) -> int:
    if isinstance(content, str):
        return 1
    return len(content) if isinstance(content, list) else 0


def has_slot(exchange: Exchange, turn: int | None, block: int) -> bool:
    """Whether content[block] of turn `turn` exists in the exchange's conversation (the
    response is the turn after the request's messages), or block `block` of its system
    prompt when `turn` is None: where a comment may sit."""
    body = exchange.request_body
    if turn is None:
        return isinstance(body, dict) and block < _blocks_in(body.get("system") or None)
    messages = body.get("messages") if isinstance(body, dict) else None
    messages = messages if isinstance(messages, list) else []
    if turn < len(messages):
        message = messages[turn]
        return isinstance(message, dict) and block < _blocks_in(message.get("content"))
    message = response_message(exchange)
    return turn == len(messages) and isinstance(message, dict) and block < _blocks_in(message.get("content"))


def _target(team, kind: str, public_id: str):
    if not valid_id(public_id):
        raise Http404("No such target.")
    model = {"exchange": Exchange, "thread": Thread}.get(kind)
    row = model.objects.for_team(team).filter(public_id=public_id).first() if model else None
    if row is None:
        raise Http404("No such target.")
    return row


def _page_of(comment_target) -> str:
    if isinstance(comment_target, Thread):
        return f"/exchanges/threads/{comment_target.public_id}/"
    return comment_target.get_absolute_url()


@login_required
@require_POST
def comment_add(request: HttpRequest) -> HttpResponse:
    membership = require_write(request)
    team = membership.team
    kind = request.POST.get("kind", "")
    target = _target(team, kind, request.POST.get("target", ""))
    slot = _slot(request.POST.get("slot", ""))
    exchanges = [target] if kind == "exchange" else list(Exchange.objects.for_team(team).filter(thread=target))
    try:
        if slot is None or not any(has_slot(e, *slot) for e in exchanges):
            raise ops.SharingError("That turn and block are not in this conversation.")
        turn, block = slot
        comment = ops.add_comment(team, request.user, turn=turn or 0, block=block, on_system=turn is None,
                                  body=request.POST.get("body"), **{kind: target})
    except ops.SharingError as exc:
        return render(request, "sharing/message.html",
                      {"title": "Comment not added", "message": str(exc), "back": _page_of(target)}, status=400)
    return redirect(f"{_page_of(target)}#{comment.anchor}")


@login_required
@require_POST
def comment_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    membership = membership_for_request(request)
    team = membership.team if membership else None
    comment = (
        Comment.objects.for_team(team).select_related("exchange", "thread").filter(public_id=public_id).first()
        if valid_id(public_id) else None
    )
    if comment is None:
        raise Http404("No such comment.")
    if not ops.can_delete_comment(comment, membership):
        raise PermissionDenied("Only the comment's author or a team owner can delete it.")
    target = comment.exchange or comment.thread
    anchor = comment.anchor
    ops.delete_comment(comment, membership)
    return redirect(f"{_page_of(target)}#{anchor}")
