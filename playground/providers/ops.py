"""The only functions that write `Provider` rows (admin, `addprovider`, migrations, tests)."""

from __future__ import annotations

from django.db import transaction

from playground.providers.crypto import encrypt_key
from playground.providers.models import Provider

_KEEP = object()


@transaction.atomic
def save_provider(
    name: str,
    *,
    base_url: str,
    model_patterns: list[str] | None = None,
    auth_style: str = "x-api-key",
    api_key: object = _KEEP,
    allow_private_network: bool = False,
    passthrough: bool = False,
    extra_headers: dict | None = None,
    team=None,
    ca_bundle: str = "",
    use_env_proxy: bool = False,
) -> Provider:
    """Create or update a provider; the URL guard runs before anything is written.

    `api_key`: a new key (stored encrypted), "" to clear it, or omitted to keep the old one.
    Raises django.core.exceptions.ValidationError with the reason when the row is invalid.
    """
    row = Provider.objects.select_for_update().filter(name=name).first() or Provider(name=name)
    if row.builtin:
        from django.core.exceptions import ValidationError

        raise ValidationError({"name": f"{name} is the built-in simulator and cannot be changed"})
    row.base_url = base_url
    if model_patterns is not None:
        row.model_patterns = ",".join(p.strip() for p in model_patterns if p.strip())
    row.auth_style = auth_style
    row.allow_private_network = allow_private_network
    row.passthrough = passthrough
    row.ca_bundle = ca_bundle
    row.use_env_proxy = use_env_proxy
    if extra_headers is not None:
        row.extra_headers = extra_headers
    row.team = team
    if api_key is not _KEEP:
        row.api_key_encrypted = encrypt_key(str(api_key or ""))
    row.full_clean()
    row.save()
    return row
