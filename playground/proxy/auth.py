"""Authenticating `/v1/*` callers with proxy keys.

One code path reads the key from `x-api-key` or `Authorization: Bearer` (both present
must agree). In passthrough mode the proxy key travels in `x-playground-key` instead and
the caller's own key in the usual headers, to be forwarded upstream and never stored.
Malformed keys are rejected before any lookup; the lookup goes by the indexed prefix and
the hash is compared in constant time. Results are cached in-process and refreshed in the
background (refreshing.py): revocation through this process clears the entry at once, other
processes see it within CACHE_TTL + CACHE_GRACE seconds, and the hot path normally does no
database work.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from channels.db import database_sync_to_async

from playground.proxy.keys import KEY_PATTERN, PREFIX_LENGTH, hash_key
from playground.proxy.models import ProxyKey
from playground.proxy.refreshing import RefreshingCache, each

# A revoked key stops working within CACHE_TTL + CACHE_GRACE seconds in every process.
CACHE_TTL = 1.0
CACHE_GRACE = 0.8
PROXY_KEY_HEADER = b"x-playground-key"


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    team_id: int
    provider: str
    mode: str
    replay_timing: str
    replay_unmatched: str


class AuthError(Exception):
    """The message is safe to return: it never contains the presented key."""


@dataclass(frozen=True)
class Credentials:
    proxy_key: str
    caller_key: tuple[bytes, bytes] | None  # (header name, value) to forward in passthrough


def _single(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    values = [v for k, v in headers if k.lower() == name]
    if len(values) > 1:
        raise AuthError(f"Send one {name.decode()} header, not {len(values)}.")
    return values[0] if values else None


def _bearer(value: bytes) -> bytes:
    scheme, _, token = value.strip().partition(b" ")
    if scheme.lower() != b"bearer" or not token.strip():
        raise AuthError("The Authorization header must read `Bearer <key>`.")
    return token.strip()


def _checked(raw: bytes) -> str:
    # Shape first: a 10 KB value, quotes, NUL or non-ASCII bytes never reach a lookup.
    if len(raw) > 200:
        raise AuthError("invalid x-api-key")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise AuthError("invalid x-api-key") from None
    if not KEY_PATTERN.fullmatch(text):
        raise AuthError("invalid x-api-key")
    return text


def credentials(headers: list[tuple[bytes, bytes]]) -> Credentials:
    """The proxy key (validated in shape) and the caller's own key, if any."""
    api_key = _single(headers, b"x-api-key")
    authorization = _single(headers, b"authorization")
    bearer = _bearer(authorization) if authorization is not None else None
    if api_key is not None and bearer is not None and not hmac.compare_digest(api_key, bearer):
        raise AuthError("x-api-key and Authorization carry different keys; send one key.")
    presented = api_key if api_key is not None else bearer
    separate = _single(headers, PROXY_KEY_HEADER)
    if separate is not None:
        caller = None
        if api_key is not None:
            caller = (b"x-api-key", api_key)
        elif authorization is not None:
            caller = (b"authorization", authorization)
        return Credentials(_checked(separate), caller)
    if presented is None:
        raise AuthError(
            "Missing proxy key: send it as the x-api-key header or as Authorization: Bearer."
        )
    return Credentials(_checked(presented), None)


def invalidate(key_hash: str | None = None) -> None:
    _cache.forget(key_hash)


def _lookup_sync(raw: str, digest: str) -> tuple[KeyInfo | None, str]:
    row = ProxyKey.objects.filter(prefix=raw[:PREFIX_LENGTH]).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None, "invalid x-api-key"
    if row.revoked_at is not None:
        return None, "This proxy key has been revoked."
    info = KeyInfo(
        id=row.pk,
        name=row.name,
        team_id=row.team_id,
        provider=row.provider,
        mode=row.mode,
        replay_timing=row.replay_timing,
        replay_unmatched=row.replay_unmatched,
    )
    return info, ""


_cache = RefreshingCache(
    database_sync_to_async(_lookup_sync),
    load_many=database_sync_to_async(each(_lookup_sync)),
    warm_if=lambda found: found[0] is not None,  # valid keys only: made-up ones stay cold
    ttl=CACHE_TTL,
    grace=CACHE_GRACE,
)


async def authenticate(raw: str) -> KeyInfo:
    """The key's owner and settings, or AuthError (cached, see refreshing.py)."""
    digest = hash_key(raw)
    info, reason = await _cache.get(digest, raw, digest)
    if info is None:
        raise AuthError(reason)
    return info
