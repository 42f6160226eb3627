"""Every inspector read starts here: from the request's team to the rows it owns.

Another team's exchange or thread is a plain 404, the same as an unknown id, so ids
cannot be probed.
"""

from __future__ import annotations

import re

from django.http import Http404

from playground.recording.models import Exchange, Thread
from playground.teams.ops import team_for_request

# Public ids are `secrets.token_urlsafe` strings; anything else (a NUL, a quote, 10 KB) is
# unknown without asking the database, which may refuse such bytes outright.
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_id(value: object) -> bool:
    return isinstance(value, str) and PUBLIC_ID.fullmatch(value) is not None


def exchanges_for(request):
    return Exchange.objects.for_team(team_for_request(request))


def recent_choices(request, limit: int = 30) -> list[tuple[str, str]]:
    """(public_id, label) of the team's latest exchanges, for the "Diff with…" pickers."""
    rows = exchanges_for(request).order_by("-started_at", "-id").values_list("public_id", "model", "started_at")[:limit]
    return [(pid, f"{model or '?'} · {when:%m-%d %H:%M:%S}") for pid, model, when in rows]


def exchange_for(request, public_id: str) -> Exchange:
    if not valid_id(public_id):
        raise Http404("No such exchange.")
    exchange = exchanges_for(request).filter(public_id=public_id).select_related("thread").first()
    if exchange is None:
        raise Http404("No such exchange.")
    return exchange


def thread_for(request, public_id: str) -> Thread:
    if not valid_id(public_id):
        raise Http404("No such thread.")
    thread = Thread.objects.for_team(team_for_request(request)).filter(public_id=public_id).first()
    if thread is None:
        raise Http404("No such thread.")
    return thread
