"""Share tokens: their format, entropy, and how a presented token finds its share.

Policy:

* A token reads `pgs-` followed by 43 url-safe characters: 32 bytes (256 bits) from
  `secrets.token_urlsafe`. The prefix types it: a proxy key (`pgk-`) or any other token
  presented as a share is refused by its shape.
* Only `sha256(token)` is stored. A visit hashes what it was given, looks the hash up
  (one indexed query) and compares the stored hash with `hmac.compare_digest`, so no
  timing of string comparison depends on how much of a guess was right.
* Anything not shaped like a token (truncated, padded, another type, another alphabet)
  is refused before the database is asked; the caller answers every refusal, and every
  revoked or expired share, with the same 404.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from playground.sharing.models import Share

TOKEN_PREFIX = "pgs-"
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"pgs-[A-Za-z0-9_-]{43}")
HINT_LENGTH = 4


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def hint_of(token: str) -> str:
    """The first characters after the prefix: enough to tell links apart, far from enough
    to guess one (252 of the 256 bits stay unknown)."""
    return token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + HINT_LENGTH]


def well_formed(token: object) -> bool:
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def share_for_token(token: object) -> Share | None:
    """The active share the token opens, or None for anything else (never a hint of why)."""
    if not well_formed(token):
        return None
    digest = hash_token(token)
    share = Share.objects.filter(token_hash=digest).select_related("team").first()
    if share is None or not hmac.compare_digest(share.token_hash, digest):
        return None
    if not share.is_active:
        return None
    return share
