"""The only functions that write proxy keys, and the key format.

A key reads `pgk-` followed by 43 url-safe characters (32 random bytes). Its first 12
characters are the stored, indexed prefix; the whole key is stored only as a SHA-256
hash and is returned exactly once, by `create_key`.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from playground.proxy.models import ProxyKey
from playground.teams.models import Team

KEY_PREFIX = "pgk-"
PREFIX_LENGTH = 12
# Anything else presented as a key is rejected before it reaches the database.
KEY_PATTERN = re.compile(r"pgk-[A-Za-z0-9_-]{43}")
MAX_NAME_LENGTH = 100


class ProxyKeyError(ValueError):
    """A key could not be created or changed; the message is safe to show."""


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def new_raw_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ProxyKeyError("A key needs a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ProxyKeyError(f"Key names are at most {MAX_NAME_LENGTH} characters.")
    if any(ord(c) < 32 for c in cleaned):
        raise ProxyKeyError("Key names cannot contain control characters.")
    return cleaned


def create_key(team: Team, name: str, *, provider: str = "", created_by=None) -> tuple[ProxyKey, str]:
    """Creates a key and returns it with the raw key, which is never retrievable again."""
    cleaned = _clean_name(name)
    if ProxyKey.objects.for_team(team).filter(name=cleaned).exists():
        raise ProxyKeyError(f"Team {team.name} already has a key named {cleaned!r}.")
    for _ in range(5):
        raw = new_raw_key()
        try:
            with transaction.atomic():
                key = ProxyKey.objects.create(
                    team=team,
                    name=cleaned,
                    prefix=raw[:PREFIX_LENGTH],
                    key_hash=hash_key(raw),
                    provider=(provider or "").strip(),
                    created_by=created_by,
                )
        except IntegrityError:
            # A prefix collision (48 random bits) or a concurrent create of the same name.
            if ProxyKey.objects.for_team(team).filter(name=cleaned).exists():
                raise ProxyKeyError(f"Team {team.name} already has a key named {cleaned!r}.") from None
            continue
        return key, raw
    raise ProxyKeyError("Could not allocate a unique key; try again.")


def revoke_key(key: ProxyKey) -> ProxyKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    _forget(key)
    return key


def set_replay(
    key: ProxyKey, *, mode: str, timing: str | None = None, unmatched: str | None = None
) -> ProxyKey:
    if mode not in dict(ProxyKey.MODES):
        raise ProxyKeyError(f"Unknown mode {mode!r}.")
    if timing is not None and timing not in dict(ProxyKey.TIMINGS):
        raise ProxyKeyError(f"Unknown replay timing {timing!r}.")
    if unmatched is not None and unmatched not in dict(ProxyKey.UNMATCHED):
        raise ProxyKeyError(f"Unknown choice for unmatched requests {unmatched!r}.")
    key.mode = mode
    if timing is not None:
        key.replay_timing = timing
    if unmatched is not None:
        key.replay_unmatched = unmatched
    key.save(update_fields=["mode", "replay_timing", "replay_unmatched"])
    _forget(key)
    return key


def _forget(key: ProxyKey) -> None:
    from playground.proxy.auth import invalidate  # here, not at the top: auth imports this module

    invalidate(key.key_hash)
