"""Provider configuration: where model calls go (staff only), and `resolve(model)`.

Import-safe before Django is set up: the ORM is only touched inside the functions.
"""

from __future__ import annotations

from playground.providers.config import (
    SIMULATOR,
    ProviderConfig,
    ProviderUnavailable,
    UnknownModel,
)
from playground.providers.urlguard import URLRefused

__all__ = [
    "SIMULATOR",
    "ProviderConfig",
    "ProviderUnavailable",
    "URLRefused",
    "UnknownModel",
    "aresolve",
    "get",
    "names",
    "resolve",
]


def resolve(model: str, team=None, provider_name: str | None = None) -> ProviderConfig:
    """Model id -> provider (`sim*` -> the simulator); UnknownModel when none serves it."""
    from playground.providers import registry

    return registry.resolve(model, team=team, provider_name=provider_name)


async def aresolve(model: str, team=None, provider_name: str | None = None) -> ProviderConfig:
    """`resolve` for async callers (the database query runs off the event loop)."""
    from asgiref.sync import sync_to_async

    return await sync_to_async(resolve)(model, team=team, provider_name=provider_name)


def get(name: str, team=None) -> ProviderConfig:
    """A provider by name; ProviderUnavailable when it is unknown or disabled."""
    from playground.providers import registry

    return registry.get(name, team=team)


def names(team=None) -> list[str]:
    from playground.providers import registry

    return registry.names(team=team)
