"""Every library read starts here: from the request's team to the rows it owns.

Another team's saved request is a plain 404, the same as an unknown id; writes also need
a role that may write (`playground.teams.access.require_write`, 403 for viewers).
"""

from __future__ import annotations

from django.http import Http404

from playground.inspector.access import valid_id
from playground.library.models import SavedRequest, Version
from playground.teams.ops import team_for_request


def saved_requests_for(request):
    return SavedRequest.objects.for_team(team_for_request(request))


def saved_for(request, public_id: str) -> SavedRequest:
    if not valid_id(public_id):
        raise Http404("No such saved request.")
    saved = saved_requests_for(request).filter(public_id=public_id).select_related("created_by").first()
    if saved is None:
        raise Http404("No such saved request.")
    return saved


def version_for(saved: SavedRequest, number: object) -> Version:
    """The saved request's version `number` (a string from a URL or form), else 404."""
    try:
        number = int(str(number))
    except ValueError:
        raise Http404("No such version.") from None
    version = saved.versions.filter(number=number).select_related("author").first()
    if version is None:
        raise Http404("No such version.")
    return version
