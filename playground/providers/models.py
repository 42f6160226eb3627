"""The `Provider` table: where model calls go, configured by staff only.

The API key is stored only as a Fernet token (`api_key_encrypted`, see crypto.py) and is
write-only everywhere: forms take a new key or keep the old one, nothing ever renders it.
`clean()` runs the base-URL guard, so the admin refuses a bad URL when it is saved; the
upstream client checks it again on every send.
"""

from __future__ import annotations

import fnmatch
import re
import ssl

from django.core.exceptions import ValidationError
from django.db import models

from playground.providers.config import (
    DEFAULT_ANTHROPIC_VERSION,
    SIMULATOR,
    SIMULATOR_NAME,
    ProviderConfig,
    ProviderUnavailable,
)
from playground.providers.crypto import KeyUnreadable, decrypt_key
from playground.providers.urlguard import URLRefused, check_base_url

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class ProviderQuerySet(models.QuerySet):
    def for_team(self, team) -> ProviderQuerySet:
        """Providers a team may use: the shared ones and the team's own."""
        shared = models.Q(team__isnull=True)
        return self.filter(shared | models.Q(team=team)) if team is not None else self.filter(shared)


class Provider(models.Model):
    AUTH_CHOICES = [
        ("x-api-key", "x-api-key header"),
        ("bearer", "Authorization: Bearer"),
        ("none", "no credentials"),
    ]

    name = models.SlugField(max_length=64, unique=True)
    base_url = models.CharField(max_length=500, help_text="Any Anthropic-compatible base URL, without /v1.")
    auth_style = models.CharField(max_length=16, choices=AUTH_CHOICES, default="x-api-key")
    api_key_encrypted = models.TextField(blank=True, default="", editable=False)
    extra_headers = models.JSONField(default=dict, blank=True, help_text='e.g. {"anthropic-beta": "..."}')
    model_patterns = models.CharField(
        max_length=500, blank=True, default="",
        help_text="Comma-separated model id patterns this provider serves, e.g. claude-*,my-model",
    )
    allow_private_network = models.BooleanField(
        default=False, help_text="Allow loopback and private addresses (a local server, a gateway on the LAN)."
    )
    passthrough = models.BooleanField(
        default=False, help_text="The proxy forwards the caller's own key instead of the stored one."
    )
    ca_bundle = models.CharField(
        max_length=500, blank=True, default="",
        help_text="Path to a PEM file of CA certificates to verify this provider's TLS with "
        "(a local server behind a private CA). Empty: the usual public roots.",
    )
    use_env_proxy = models.BooleanField(
        default=False, help_text="Connect through the proxy named by HTTPS_PROXY/HTTP_PROXY (and NO_PROXY)."
    )
    enabled = models.BooleanField(default=True)
    builtin = models.BooleanField(default=False, editable=False)
    team = models.ForeignKey(
        "teams.Team", models.CASCADE, null=True, blank=True, related_name="providers",
        help_text="Leave empty to share with every team.",
    )
    anthropic_version = models.CharField(max_length=32, default=DEFAULT_ANTHROPIC_VERSION)
    connect_timeout = models.FloatField(default=10.0)
    first_byte_timeout = models.FloatField(default=600.0)
    idle_timeout = models.FloatField(default=300.0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.api_key_encrypted)

    def patterns(self) -> list[str]:
        return [p.strip() for p in self.model_patterns.split(",") if p.strip()]

    def serves(self, model: str) -> bool:
        return any(fnmatch.fnmatchcase(model, p) for p in self.patterns())

    def clean(self) -> None:
        super().clean()
        if self.builtin:
            return
        try:
            self.base_url = check_base_url(self.base_url, allow_private=self.allow_private_network)
        except URLRefused as exc:
            raise ValidationError({"base_url": str(exc)}) from None
        if not isinstance(self.extra_headers, dict) or not all(
            isinstance(k, str) and _HEADER_NAME.fullmatch(k) and isinstance(v, str)
            and v.isprintable() and v.isascii()
            for k, v in self.extra_headers.items()
        ):
            raise ValidationError(
                {"extra_headers": "An object of header names to printable ASCII string values."}
            )
        if self.ca_bundle:
            try:
                ssl.create_default_context(cafile=self.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise ValidationError(
                    {"ca_bundle": f"Cannot load CA certificates from {self.ca_bundle}: {exc.__class__.__name__}."}
                ) from None
        for timeout in ("connect_timeout", "first_byte_timeout", "idle_timeout"):
            if not getattr(self, timeout) or getattr(self, timeout) <= 0:
                raise ValidationError({timeout: "Must be a positive number of seconds."})

    def config(self) -> ProviderConfig:
        """The upstream client's view of this row (decrypts the key)."""
        if self.builtin and self.name == SIMULATOR_NAME:
            return SIMULATOR
        try:
            key = decrypt_key(self.api_key_encrypted)
        except KeyUnreadable as exc:
            raise ProviderUnavailable(f"provider {self.name}: {exc}") from None
        return ProviderConfig(
            name=self.name,
            base_url=self.base_url,
            auth_style=self.auth_style,
            api_key=key or None,
            extra_headers=tuple(sorted((str(k), str(v)) for k, v in (self.extra_headers or {}).items())),
            allow_private_network=self.allow_private_network,
            passthrough=self.passthrough,
            connect_timeout=self.connect_timeout,
            first_byte_timeout=self.first_byte_timeout,
            idle_timeout=self.idle_timeout,
            anthropic_version=self.anthropic_version or DEFAULT_ANTHROPIC_VERSION,
            ca_bundle=self.ca_bundle,
            use_env_proxy=self.use_env_proxy,
        )
