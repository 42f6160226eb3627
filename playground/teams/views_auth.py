"""Sign-in and sign-out pages (Django's auth forms, the app's own look).

Signing out marks the new, anonymous session `signed_out`, so the development auto-login
leaves that browser signed out (and its visitor free to sign in as someone else).
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from playground.teams.middleware import SIGNED_OUT

sign_in = LoginView.as_view(template_name="teams/sign_in.html")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    request.session[SIGNED_OUT] = True
    return redirect("teams:sign_in")
