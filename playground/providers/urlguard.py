"""The base-URL guard: providers may only point at public http(s) hosts.

Policy: only `http` and `https`; no userinfo, query or fragment; no loopback, private,
link-local (cloud metadata), shared, multicast, reserved or unspecified address in any
spelling: dotted, decimal, octal and hex IPv4 (`2130706433`, `0177.0.0.1`, `0x7f.1`),
IPv6 including IPv4-mapped, 6to4 and NAT64 forms (the embedded IPv4 address is checked, and
the outer IPv6 prefix too: `_BLOCKED_PREFIXES` lists ranges refused whatever they embed,
such as NAT64 local-use, site-local and Teredo), `localhost` names, fullwidth or other
IDNA look-alikes, percent-encoded hosts. A DNS name is checked again when a request is sent,
against every address it resolves to (`resolve_checked`: the client connects to the
checked addresses themselves, so a DNS answer cannot change between check and connect).
`allow_private` (set by the operator per provider) lifts the address rules, never the
scheme and userinfo rules.

The send-time check runs on the host the upstream client itself parsed (its network
backend calls `resolve_checked`): two parsers that disagree about the host are a classic
guard bypass, and the connection never depends on this module's parse. No Django here: the admin form, the model, the `addprovider`
command and the upstream client all call the same functions.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
from urllib.parse import urlsplit

_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges refused on their outer prefix, before any embedded IPv4 address is looked at:
# the standard library's `is_global` does not cover them on every Python version, and the
# address they embed (if any) says nothing about where the packets go.
_BLOCKED_PREFIXES = (
    (ipaddress.ip_network("64:ff9b:1::/48"), "a NAT64 local-use address (RFC 8215), translated to a private network"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address"),
    (ipaddress.ip_network("2001::/32"), "a Teredo tunnel address"),
    (ipaddress.ip_network("100::/64"), "a discard-only address"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("fc00::/7"), "a unique local (private) address"),
    (ipaddress.ip_network("fe80::/10"), "a link-local address (cloud metadata lives there)"),
    (ipaddress.ip_network("ff00::/8"), "a multicast address"),
)
_BLOCKED_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_BLOCKED_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


class URLRefused(ValueError):
    """The base URL (or the address it resolves to) is not allowed; the text says why."""


def _unwrap(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        # IPv4-compatible (deprecated) ::a.b.c.d
        if int(ip) >> 32 == 0 and int(ip) > 1:
            return ipaddress.IPv4Address(int(ip))
    return ip


def blocked_address(address: str) -> str | None:
    """Why this IP address may not be reached, or None when it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        for network, what in _BLOCKED_PREFIXES:
            if ip in network:
                return f"{address} is {what}"
    inner = _unwrap(ip)
    if inner.is_loopback:
        return f"{address} is a loopback address"
    if inner.is_link_local:
        return f"{address} is a link-local address (cloud metadata lives there)"
    if inner.is_unspecified:
        return f"{address} is the unspecified address"
    if inner.is_multicast:
        return f"{address} is a multicast address"
    if not inner.is_global:
        return f"{address} is a private or reserved address"
    return None


def _numeric_ipv4(host: str) -> str | None:
    """The dotted form of any IPv4 spelling the C resolver accepts, else None."""
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return None


def host_refusal(host: str) -> str | None:
    """Why this host may not be used without `allow_private`, or None."""
    if "%" in host and not host.startswith("["):
        return "percent-encoded hosts are not allowed"
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
        return blocked_address(bare)
    except ValueError:
        pass
    try:
        name = bare.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        return f"{host!r} is not a valid host name"
    if not name:
        return "the host is empty"
    dotted = _numeric_ipv4(name)
    if dotted is not None:
        return blocked_address(dotted)
    if name in _BLOCKED_NAMES or name.endswith(_BLOCKED_SUFFIXES):
        return f"{name} is a local name"
    if "." not in name:
        # A single-label name resolves through the local search domains.
        return f"{name} is a single-label local name"
    return None


@functools.lru_cache(maxsize=512)  # a pure function, run on every upstream send
def check_base_url(url: str, *, allow_private: bool = False) -> str:
    """The URL, normalized (no trailing slash), or URLRefused with the reason."""
    if not isinstance(url, str) or not url.strip():
        raise URLRefused("the base URL is empty")
    url = url.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in url):
        raise URLRefused("the base URL contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise URLRefused(f"the base URL does not parse: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise URLRefused("only http and https base URLs are allowed")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise URLRefused("the base URL must not contain a user name or password")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise URLRefused("the base URL must not have a query or fragment")
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if not host:
        raise URLRefused("the base URL has no host")
    if not allow_private:
        reason = host_refusal(host) or host_refusal(parts.hostname or "")
        if reason:
            raise URLRefused(f"{reason}; private networks are not allowed for this provider")
    return url.rstrip("/")


def check_resolved(addresses: list[str], host: str) -> None:
    """Send-time check of the addresses a DNS name resolved to (every one must be public)."""
    if not addresses:
        raise URLRefused(f"{host} did not resolve")
    for address in addresses:
        reason = blocked_address(address)
        if reason:
            raise URLRefused(f"{host} resolves to a refused address: {reason}")


# -- connect-time enforcement ----------------------------------------------------------------


async def resolve_checked(host: str, port: int) -> list[tuple[str, int]]:
    """The addresses to connect to for a DNS name, each checked: the upstream client
    connects to exactly these, so a DNS answer cannot change between check and connect.
    (IP literals never come here; `check_base_url` has checked them.)"""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    check_resolved(addresses, host)
    return [(address, port) for address in addresses]
