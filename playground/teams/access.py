"""Who may do what in the team they work in.

Views and consumers ask here before they read or write; a template's check alone is never
enough (an htmx partial skips it). Reads are scoped by `team_for_request`; writes also
need a role that may write, else 403.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from playground.teams.models import Membership
from playground.teams.ops import membership_for_user


def membership_for_request(request) -> Membership | None:
    return membership_for_user(request.user, request.session)


def require_write(request) -> Membership:
    """The caller's membership when it may create and edit, else PermissionDenied (403)."""
    membership = membership_for_request(request)
    if membership is None or not membership.can_write:
        raise PermissionDenied("Viewers cannot change anything in this team.")
    return membership


def require_manage(request) -> Membership:
    """The caller's membership when it is an owner of the team, else PermissionDenied (403)."""
    membership = membership_for_request(request)
    if membership is None or not membership.can_manage:
        raise PermissionDenied("Only the team's owners can do this.")
    return membership


def writer_required(view):
    """View decorator: 403 for viewers (and for anyone with no team) before the view runs."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_write(request)
        return view(request, *args, **kwargs)

    return wrapped
