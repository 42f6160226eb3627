"""Every inspector read starts here: from the request's team to the rows it owns.

Another team's exchange or thread is a plain 404, the same as an unknown id, so ids
cannot be probed.
"""

from __future__ import annotations

from django.http import Http404

from playground.recording.models import Exchange, Thread
from playground.teams.ops import team_for_request


def exchanges_for(request):
    return Exchange.objects.for_team(team_for_request(request))


def exchange_for(request, public_id: str) -> Exchange:
    exchange = exchanges_for(request).filter(public_id=public_id).select_related("thread").first()
    if exchange is None:
        raise Http404("No such exchange.")
    return exchange


def thread_for(request, public_id: str) -> Thread:
    thread = Thread.objects.for_team(team_for_request(request)).filter(public_id=public_id).first()
    if thread is None:
        raise Http404("No such thread.")
    return thread
