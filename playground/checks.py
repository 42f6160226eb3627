"""The project's own system checks: a production configuration that is not safe stops start-up.

`manage.py check` (and `migrate`, `runserver`) run them; the ASGI entry point runs them too
(asgi.py), so `uvicorn playground.asgi:application` refuses to serve when one fails.
Production must have: a known environment name, HTTPS settings (secure session and CSRF
cookies, the redirect to HTTPS, HSTS), no automatic sign-in and no debug requested, and at
least one allowed host.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


def _production_errors() -> list[Error]:
    errors: list[Error] = []
    https = {
        "SESSION_COOKIE_SECURE": bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        "CSRF_COOKIE_SECURE": bool(getattr(settings, "CSRF_COOKIE_SECURE", False)),
        "SECURE_SSL_REDIRECT": bool(getattr(settings, "SECURE_SSL_REDIRECT", False)),
        "SECURE_HSTS_SECONDS": getattr(settings, "SECURE_HSTS_SECONDS", 0) > 0,
    }
    missing = [name for name, ok in https.items() if not ok]
    if missing:
        errors.append(Error(
            f"production without HTTPS settings: {', '.join(missing)} off",
            hint="Serve production over HTTPS only; do not turn these off (SECURE_SSL_REDIRECT=0 "
                 "and SECURE_HSTS_SECONDS=0 are refused).",
            id="playground.E002",
        ))
    if getattr(settings, "AUTO_LOGIN_REQUESTED", None) or getattr(settings, "AUTO_LOGIN_USER", None):
        errors.append(Error(
            "production with automatic sign-in set (PLAYGROUND_AUTO_LOGIN_USER)",
            hint="Unset PLAYGROUND_AUTO_LOGIN_USER: in production every visitor signs in.",
            id="playground.E003",
        ))
    if getattr(settings, "DEBUG_REQUESTED", False) or settings.DEBUG:
        errors.append(Error(
            "production with debug requested (PLAYGROUND_DEBUG)",
            hint="Unset PLAYGROUND_DEBUG: debug pages show settings and stack traces.",
            id="playground.E004",
        ))
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        errors.append(Error(
            "production needs ALLOWED_HOSTS naming the hosts it serves (not empty, not '*')",
            id="playground.E005",
        ))
    return errors


@register(Tags.security, deploy=False)
def environment_check(app_configs=None, **kwargs) -> list[Error]:
    """Refuse an unknown environment name, and an unsafe production configuration."""
    env = getattr(settings, "PLAYGROUND_ENV", None)
    known = getattr(settings, "ENVIRONMENTS", ("development", "production"))
    if env not in known:
        return [Error(
            f"PLAYGROUND_ENV is {env!r}; it must be one of {', '.join(known)}",
            id="playground.E001",
        )]
    if env == "production":
        return _production_errors()
    return []
