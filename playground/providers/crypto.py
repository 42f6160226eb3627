"""Provider API keys at rest: Fernet with settings.KEY_ENCRYPTION_KEY, never SECRET_KEY.

A separate key means rotating SECRET_KEY (sessions, CSRF) leaves stored provider keys
readable, and a leaked database dump without KEY_ENCRYPTION_KEY reveals no provider key.
A token that no longer decrypts (the key was changed) is a clear error naming the setting,
never a silent empty key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KeyUnreadable(Exception):
    """The stored key does not decrypt with the current KEY_ENCRYPTION_KEY."""


def _fernet() -> Fernet:
    key = getattr(settings, "KEY_ENCRYPTION_KEY", None)
    try:
        return Fernet(key)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            "KEY_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)"
        ) from exc


def encrypt_key(plain: str) -> str:
    """The Fernet token (ASCII text) for an API key; '' stays ''."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_key(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise KeyUnreadable(
            "the stored API key cannot be decrypted with the current KEY_ENCRYPTION_KEY"
        ) from exc
