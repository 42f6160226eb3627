"""Thread list and thread page (the tool loop turn by turn)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.inspector.access import thread_for
from playground.inspector.listing import decode_cursor, encode_cursor
from playground.inspector.thread_steps import build_thread
from playground.recording.models import Thread
from playground.sharing.comments import page_context as sharing_context
from playground.teams.ops import team_for_request

PAGE_SIZE = 50


@login_required
@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    qs = Thread.objects.for_team(team_for_request(request)).order_by("-last_at", "-id")
    before = decode_cursor(request.GET.get("cursor") or "")
    if before is not None:
        moment, pk = before
        qs = qs.filter(Q(last_at__lt=moment) | Q(last_at=moment, id__lt=pk))
    rows = list(qs[: PAGE_SIZE + 1])
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    next_cursor = encode_cursor(last.last_at, last.id) if last is not None else None
    return render(request, "inspector/threads.html",
                  {"nav": "threads", "threads": rows[:PAGE_SIZE], "next_cursor": next_cursor})


@login_required
@require_GET
def thread_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    thread = thread_for(request, public_id)
    view = build_thread(thread)
    return render(request, "inspector/thread.html", {"nav": "threads", "thread": thread, "view": view,
                                                     **sharing_context(request, thread=thread, view=view)})
