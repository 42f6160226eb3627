"""The WebSocket origin check: a socket opens only for the app's own pages.

Browsers send cookies on a cross-site WebSocket handshake, and CSRF middleware never sees
it, so without this check any page the user visits could open `ws/runs/` (and spend their
provider credit) or `ws/exchanges/` (and read live traffic). Channels' own
`AllowedHostsOriginValidator` compares only the host name: a page on another port or scheme
of the same host, or on any subdomain a leading-dot ALLOWED_HOSTS entry admits, passes it.

Policy, the same as Django's CSRF origin check for forms: the `Origin` header is required
and must equal, as scheme, host and port, either this server's own origin (the `Host`
header, which must be in ALLOWED_HOSTS, with `https` when the connection is secure) or one
of CSRF_TRUSTED_ORIGINS (a `*.` host there admits its subdomains, as Django allows). Secure
means `wss` on the socket itself, or the SECURE_PROXY_SSL_HEADER an operator declared
trusted. Anything else is refused before the consumer runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an `http(s)://host[:port]` origin, else None."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.username is not None or parts.query or parts.fragment:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            try:
                return value.decode("latin-1")
            except UnicodeDecodeError:
                return None
    return None


def _secure(scope: dict) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    trusted = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if trusted:
        name, expected = trusted
        # Django spells it as a META key: HTTP_X_FORWARDED_PROTO is x-forwarded-proto.
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        value = _header(scope, header)
        return value is not None and value.split(",", 1)[0].strip() == expected
    return False


def own_origin(scope: dict) -> tuple[str, str, int] | None:
    """This server's origin for the handshake: its Host (if allowed) and scheme."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return None
    return _origin_tuple(("https" if _secure(scope) else "http") + "://" + host)


def _trusted(origin: tuple[str, str, int]) -> bool:
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        parsed = _origin_tuple(entry.replace("://*.", "://", 1) if wildcard else entry)
        if parsed is None or parsed[0] != scheme or parsed[2] != port:
            continue
        if host == parsed[1] or (wildcard and is_same_domain(host, "." + parsed[1])):
            return True
    return False


def origin_allowed(scope: dict) -> bool:
    """True when the handshake's Origin is this server's own origin or a trusted one."""
    raw = _header(scope, b"origin")
    origin = _origin_tuple(raw) if raw else None
    if origin is None:
        return False
    return origin == own_origin(scope) or _trusted(origin)


class SameOriginValidator:
    """ASGI middleware refusing WebSocket handshakes from any other origin."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator only guards WebSocket connections")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
