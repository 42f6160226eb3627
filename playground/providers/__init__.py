"""Provider configuration: where model calls go (staff only), and `resolve(model)`.

Import-safe before Django is set up (Django imports this package while it loads the app
registry): the registry, which reads the ORM, is imported inside the functions.
`team` is a Team or a team id everywhere.
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
    """`resolve` for async callers: the one lookup the proxy and the composer use (the
    database query runs off the event loop; the built-in simulator needs none)."""
    from channels.db import database_sync_to_async

    if not provider_name and isinstance(model, str) and model.startswith("sim"):
        return SIMULATOR
    if provider_name == SIMULATOR.name:
        return SIMULATOR
    return await database_sync_to_async(resolve)(model, team=team, provider_name=provider_name)


def get(name: str, team=None) -> ProviderConfig:
    """A provider by name; ProviderUnavailable when it is unknown or disabled."""
    from playground.providers import registry

    return registry.get(name, team=team)


def names(team=None) -> list[str]:
    from playground.providers import registry

    return registry.names(team=team)
