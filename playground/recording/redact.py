"""Redaction at capture: the one chokepoint secrets pass before anything is stored.

Policy:

* Headers named x-api-key, authorization, proxy-authorization, cookie, set-cookie,
  anthropic-organization-id (case-insensitive), and any header whose value contains a known
  secret (the provider key or proxy key the caller passes as `secrets=`), keep their name and
  get the value "[redacted]". Names are compared exactly, never as substrings, so
  `x-api-key-id` stays but `X-Api-Key` goes.
* Bodies are never masked by key name (that is how peers corrupted `max_tokens`). Only the
  known secret values are replaced, wherever they appear: request bytes, response bytes,
  event text and error strings.
* Secrets shorter than 8 characters are ignored: replacing them would corrupt ordinary text
  and they are not real keys.
"""

from __future__ import annotations

from collections.abc import Iterable

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset(
    {
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "anthropic-organization-id",
    }
)
_MIN_SECRET = 8


def clean_secrets(values: Iterable[str | bytes | None] | None) -> tuple[str, ...]:
    """The usable secret values, longest first (so a key is replaced before its prefix)."""
    found = set()
    for value in values or ():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and len(value.strip()) >= _MIN_SECRET:
            found.add(value.strip())
    return tuple(sorted(found, key=len, reverse=True))


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def header_pairs(headers: object) -> list[tuple[str, str]]:
    """Headers as (name, value) text pairs, from a dict, a list of pairs or an httpx.Headers."""
    if headers is None:
        return []
    items = headers.multi_items() if hasattr(headers, "multi_items") else None
    if items is None:
        items = headers.items() if isinstance(headers, dict) else headers
    pairs = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            continue
        pairs.append((_text(name), _text(value)))
    return pairs


def redact_headers(headers: object, secrets: Iterable[str] = ()) -> list[list[str]]:
    """Headers as [[name, value], ...] with secret-bearing values replaced."""
    secrets = tuple(secrets)
    out = []
    for name, value in header_pairs(headers):
        if name.lower() in SECRET_HEADERS or any(s in value for s in secrets):
            value = REDACTED
        out.append([name, value])
    return out


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub_bytes(raw: bytes, secrets: Iterable[str]) -> bytes:
    for secret in secrets:
        needle = secret.encode("utf-8", "surrogatepass")
        if needle in raw:
            raw = raw.replace(needle, REDACTED.encode())
    return raw


def scrub_json(value: object, secrets: Iterable[str]) -> object:
    """A JSON value with the known secret values replaced in every string (keys included)."""
    secrets = tuple(secrets)
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {scrub_text(str(k), secrets): scrub_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, secrets) for v in value]
    return value
