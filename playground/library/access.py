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


MAX_VERSION = 2**31 - 1  # the column's range: a larger number is no version, not a 500


def version_number(text: object) -> int | None:
    """A version number from a URL or form, or None when it cannot be one."""
    try:
        number = int(str(text).strip()[:20])
    except ValueError:
        return None
    return number if 1 <= number <= MAX_VERSION else None


def version_for(saved: SavedRequest, number: object) -> Version:
    """The saved request's version `number` (a string from a URL or form), else 404."""
    number = version_number(number)
    if number is None:
        raise Http404("No such version.")
    version = saved.versions.filter(number=number).select_related("author").first()
    if version is None:
        raise Http404("No such version.")
    return version
