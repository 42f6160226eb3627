"""Who may do what in the team they work in.

Views and consumers ask here before they read or write; a template's check alone is never
enough (an htmx partial skips it). Reads are scoped by `team_for_request`; writes also
need a role that may write, else 403.

Pages use Django's `login_required` (an anonymous visitor is sent to the sign-in page) and
`writer_required`; JSON endpoints use `api_login_required` and `api_writer_required`, which
answer in the API's error shape (401 `authentication_error`, 403 `permission_error`)
instead of a redirect or an HTML page.
"""

from __future__ import annotations

from functools import wraps

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse

from playground.contract.errors import error_body, status_for
from playground.teams.models import Membership
from playground.teams.ops import membership_for_user

VIEWER_MESSAGE = "Viewers cannot change anything in this team."


def membership_for_request(request) -> Membership | None:
    return membership_for_user(request.user, request.session)


def require_write(request) -> Membership:
    """The caller's membership when it may create and edit, else PermissionDenied (403)."""
    membership = membership_for_request(request)
    if membership is None or not membership.can_write:
        raise PermissionDenied(VIEWER_MESSAGE)
    return membership


def require_manage(request) -> Membership:
    """The caller's membership when it is an owner of the team, else PermissionDenied (403)."""
    membership = membership_for_request(request)
    if membership is None or not membership.can_manage:
        raise PermissionDenied("Only the team's owners can do this.")
    return membership


def _api_error(error_type: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(error_type, message), status=status_for(error_type))


def _guard(view, check):
    """Wraps a sync or async view so `check(request)` (sync; may answer) runs first."""
    if iscoroutinefunction(view):

        async def async_wrapped(request: HttpRequest, *args, **kwargs):
            refusal = await sync_to_async(check)(request)
            if refusal is not None:
                return refusal
            return await view(request, *args, **kwargs)

        return markcoroutinefunction(wraps(view)(async_wrapped))

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        refusal = check(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped


def writer_required(view):
    """View decorator: 403 for viewers (and for anyone with no team) before the view runs.
    Put it under `login_required`, so anonymous visitors are sent to sign in instead."""

    def check(request):
        require_write(request)

    return _guard(view, check)


def _signed_out(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return _api_error("authentication_error", "sign in first")
    return None


def api_login_required(view):
    """JSON endpoints: 401 `authentication_error` in the API's shape for anonymous callers."""
    return _guard(view, _signed_out)


def api_writer_required(view):
    """JSON endpoints: 401 for anonymous callers, 403 `permission_error` for viewers and
    for users with no team, in the API's shape."""

    def check(request):
        refusal = _signed_out(request)
        if refusal is not None:
            return refusal
        membership = membership_for_request(request)
        if membership is None:
            return _api_error("permission_error", "you are not a member of any team")
        if not membership.can_write:
            return _api_error("permission_error", VIEWER_MESSAGE)
        return None

    return _guard(view, check)
