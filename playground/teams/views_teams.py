"""Switching teams, creating one, and the members page of the current team.

Everyone in a team sees its members; only owners change them (403 otherwise, checked
here before anything is read from the form). A member or invite id of another team is a
404. Writes go through members.py, invites.py and ops.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.teams import invites, members, ops
from playground.teams.access import membership_for_request, require_manage
from playground.teams.models import Invite, Membership, Role


def _section(path: object) -> str:
    """Where to land after a switch: the first part of the page's path (an object page of
    the old team would be a 404 in the new one)."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return "/"
    first = path.lstrip("/").split("/", 1)[0]
    return f"/{first}/" if first.isalnum() else "/"


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    if ops.switch_team(request.user, request.session, request.POST.get("team")) is None:
        raise Http404("No such team.")
    return redirect(_section(request.POST.get("next")))


@login_required
@require_http_methods(["GET", "POST"])
def new_team(request: HttpRequest) -> HttpResponse:
    error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            team = ops.create_team(request.user, name)
        except ops.TeamError as exc:
            error = str(exc)
        else:
            request.session[ops.SESSION_KEY] = team.pk
            return redirect("teams:members")
    return render(request, "teams/new.html", {"nav": "team", "error": error, "name": name})


def _members_page(request: HttpRequest, membership: Membership, status: int = 200, **extra) -> HttpResponse:
    team = membership.team
    context = {
        "nav": "team",
        "team": team,
        "me": membership,
        "members": members.members(team),
        "roles": Role.choices,
        "invites": invites.pending_invites(team) if membership.can_manage else [],
        **extra,
    }
    response = render(request, "teams/members.html", context, status=status)
    if "invite_url" in extra:
        # The invite link is shown in this one response and never again.
        response["Cache-Control"] = "no-store"
    return response


def _current(request: HttpRequest) -> Membership:
    membership = membership_for_request(request)
    if membership is None:
        raise Http404("You are not a member of any team.")
    return membership


@login_required
@require_GET
def members_page(request: HttpRequest) -> HttpResponse:
    return _members_page(request, _current(request))


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    me = require_manage(request)
    try:
        _invite, token = invites.create_invite(me.team, request.POST.get("role"), created_by=request.user)
    except ops.TeamError as exc:
        return _members_page(request, me, error=str(exc))
    url = request.build_absolute_uri(f"/invites/{token}/")
    return _members_page(request, me, invite_url=url)


@login_required
@require_POST
def revoke_invite(request: HttpRequest, invite_id: int) -> HttpResponse:
    me = require_manage(request)
    try:
        invites.revoke_invite(me.team, invite_id)
    except Invite.DoesNotExist as exc:
        raise Http404("No such invite.") from exc
    return redirect("teams:members")


@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    me = require_manage(request)
    try:
        members.add_existing_user(me.team, request.POST.get("username"), request.POST.get("role"))
    except ops.TeamError as exc:
        return _members_page(request, me, error=str(exc), form_username=request.POST.get("username", ""))
    return redirect("teams:members")


def _change_member(request: HttpRequest, me: Membership, change: Callable[..., object], membership_id: int,
                   *args: object) -> HttpResponse:
    """`change(team, membership_id, *args)` from the members page: a member of another team
    is a 404, a change the rules refuse shows the page again with the reason."""
    try:
        change(me.team, membership_id, *args)
    except Membership.DoesNotExist as exc:
        raise Http404("No such member.") from exc
    except ops.TeamError as exc:
        return _members_page(request, me, error=str(exc))
    return redirect("teams:members")


@login_required
@require_POST
def set_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    me = require_manage(request)
    return _change_member(request, me, members.set_role, membership_id, request.POST.get("role"))


@login_required
@require_POST
def remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    me = require_manage(request)
    if me.pk == membership_id:
        return leave(request)
    return _change_member(request, me, members.remove_member, membership_id)


@login_required
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    me = _current(request)
    try:
        members.remove_member(me.team, me.pk)
    except ops.TeamError as exc:
        return _members_page(request, me, error=str(exc))
    request.session.pop(ops.SESSION_KEY, None)
    return redirect("/")
