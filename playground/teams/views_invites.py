"""The invite page (`/invites/<token>/`): join a team by link.

A signed-in visitor accepts with one button; a signed-out one signs in or creates an
account on the same page, and joins in the same step. Whatever is wrong with the token
(unknown, malformed, other type, used, expired, revoked) is the same plain 404, checked
before any form is read. Creating the account and using the invite happen in one
transaction: an invite used meanwhile leaves no account behind.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from playground.teams import invites, ops
from playground.teams.models import Invite

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invite_or_404(token: str) -> Invite:
    try:
        return invites.find_invite(token)
    except invites.InviteNotFound as exc:
        raise Http404("No such page.") from exc


def _accept(request: HttpRequest, token: str, user) -> HttpResponse:
    try:
        membership = invites.accept_invite(token, user)
    except invites.InviteNotFound as exc:
        raise Http404("No such page.") from exc
    request.session[ops.SESSION_KEY] = membership.team_id
    return redirect("/")


class _Used(Exception):
    """The invite went while the account was being made: roll the account back."""


def _sign_up(request: HttpRequest, token: str, form: UserCreationForm) -> HttpResponse:
    try:
        with transaction.atomic():
            user = form.save()
            try:
                membership = invites.accept_invite(token, user)
            except invites.InviteNotFound as exc:
                raise _Used from exc
    except _Used as exc:
        raise Http404("No such page.") from exc
    login(request, user, backend=BACKEND)
    request.session[ops.SESSION_KEY] = membership.team_id
    return redirect("/")


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = _invite_or_404(token)
    # Two forms on one page: their own id prefixes keep the element ids unique.
    sign_in_form = AuthenticationForm(request, auto_id="sign-in-%s")
    sign_up_form = UserCreationForm(auto_id="sign-up-%s")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "accept" and request.user.is_authenticated:
        return _accept(request, token, request.user)
    if action == "sign_in":
        sign_in_form = AuthenticationForm(request, data=request.POST, auto_id="sign-in-%s")
        if sign_in_form.is_valid():
            login(request, sign_in_form.get_user(), backend=BACKEND)
            return _accept(request, token, request.user)
    elif action == "sign_up":
        sign_up_form = UserCreationForm(data=request.POST, auto_id="sign-up-%s")
        if sign_up_form.is_valid():
            return _sign_up(request, token, sign_up_form)
    already = (
        request.user.is_authenticated and invite.team.memberships.filter(user=request.user).exists()
    )
    response = render(
        request,
        "teams/accept.html",
        {
            "invite": invite,
            "sign_in_form": sign_in_form,
            "sign_up_form": sign_up_form,
            "already_member": already,
            "action": action,
        },
    )
    # The token is in this page's URL: keep it out of caches and search engines. The
    # site-wide `Referrer-Policy: same-origin` already keeps it from other sites; stricter
    # `no-referrer` would make the browser send `Origin: null` with the page's own forms,
    # which the CSRF check then refuses.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
