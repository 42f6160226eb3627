"""Request middleware: development auto-login and the Content-Security-Policy header."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login

# Model output is untrusted: no inline scripts, no remote images or scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def auto_login(get_response):
    """Logs in settings.AUTO_LOGIN_USER on the development default (never in production)."""

    def middleware(request):
        username = settings.AUTO_LOGIN_USER
        if username and not request.user.is_authenticated and not request.path.startswith("/admin/login"):
            from playground.teams.ops import ensure_local_user

            user = ensure_local_user(username)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return get_response(request)

    return middleware


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return middleware
