"""Request middleware: development auto-login. (The Content-Security-Policy header comes from
django-csp, configured in settings.CONTENT_SECURITY_POLICY.)"""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.contrib.auth import login
from django.http.request import split_domain_port

from playground.teams.ops import ensure_local_user

# Set in the session by signing out: that browser then stays signed out, so it can sign
# in as someone else.
SIGNED_OUT = "signed_out"
# Pages where a visitor decides who they are: never signed in behind their back.
NO_AUTO_LOGIN_PATHS = ("/accounts/", "/invites/", "/admin/login")


def _is_loopback(value: str) -> bool:
    if value == "localhost":
        return True
    try:
        return ip_address(value.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_request(request) -> bool:
    """The Host names a loopback address and the client connects from one: a remote client
    cannot get the local user by sending `Host: localhost`."""
    domain, _port = split_domain_port(request.get_host())
    return _is_loopback(domain) and _is_loopback(request.META.get("REMOTE_ADDR", ""))


def wants_auto_login(request) -> bool:
    return (
        bool(settings.AUTO_LOGIN_USER)
        and not settings.PRODUCTION
        and not request.user.is_authenticated
        and not request.path.startswith(NO_AUTO_LOGIN_PATHS)
        and not request.session.get(SIGNED_OUT)
        and is_loopback_request(request)
    )


def auto_login(get_response):
    """Development only: logs in settings.AUTO_LOGIN_USER for loopback requests (see
    `wants_auto_login`); never in production."""

    def middleware(request):
        if wants_auto_login(request):
            user = ensure_local_user(settings.AUTO_LOGIN_USER)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return get_response(request)

    return middleware
