"""Which provider serves a model id.

Routing policy, in order:
1. a pinned provider name (a proxy key or the composer's provider menu) wins, whatever
   the model id, if it exists for the team and is enabled;
2. ids beginning with `sim` go to the built-in in-process simulator;
3. the enabled providers the team may use, the team's own first, then by name, whose
   comma-separated fnmatch patterns match the id (`claude-*`);
4. the Anthropic API itself for `claude-*` when ANTHROPIC_API_KEY is set;
otherwise `UnknownModel`, which the proxy answers as 404 `not_found_error` `model: <id>`.
"""

from __future__ import annotations

import asyncio
import fnmatch
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections

from playground.providers.config import (
    ANTHROPIC_BASE_URL,
    ANTHROPIC_NAME,
    ANTHROPIC_PATTERNS,
    SIMULATOR,
    SIMULATOR_NAME,
    ProviderConfig,
    ProviderUnavailable,
    UnknownModel,
)
from playground.providers.models import Provider


def anthropic_from_env() -> ProviderConfig | None:
    """The Anthropic API with the key from ANTHROPIC_API_KEY, when it is set."""
    key = getattr(settings, "ANTHROPIC_API_KEY", None)
    if not key:
        return None
    return ProviderConfig(name=ANTHROPIC_NAME, base_url=ANTHROPIC_BASE_URL, auth_style="x-api-key", api_key=key)


_worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="providers")


def _rows_sync(team) -> list:
    rows = list(Provider.objects.for_team(team).filter(enabled=True))
    # The team's own providers shadow shared ones.
    rows.sort(key=lambda p: (p.team_id is None, p.name))
    return rows


def _rows_on_worker(team) -> list:
    try:
        return _rows_sync(team)
    finally:
        connections.close_all()  # this thread's connections; the worker may idle for long


def _rows(team) -> list:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _rows_sync(team)
    # Called from async code: the ORM refuses to run on an event loop's thread, so the
    # (small, indexed) query runs on a worker thread. Async callers should prefer aresolve.
    return _worker.submit(_rows_on_worker, team).result(timeout=30)


def get(name: str, team=None) -> ProviderConfig:
    """A provider by name (pinned), or ProviderUnavailable."""
    if name == SIMULATOR_NAME:
        return SIMULATOR
    for row in _rows(team):
        if row.name == name:
            return row.config()
    env = anthropic_from_env()
    if env is not None and name == env.name:
        return env
    raise ProviderUnavailable(f"provider: {name} is not configured or is disabled")


def resolve(model: str, team=None, provider_name: str | None = None) -> ProviderConfig:
    """The provider for a model id (see the module docstring for the order)."""
    if provider_name:
        return get(provider_name, team=team)
    if not isinstance(model, str) or not model:
        raise UnknownModel(str(model))
    if model.startswith("sim"):
        return SIMULATOR
    for row in _rows(team):
        if not row.builtin and row.serves(model):
            return row.config()
    env = anthropic_from_env()
    if env is not None and any(fnmatch.fnmatchcase(model, p) for p in ANTHROPIC_PATTERNS):
        return env
    raise UnknownModel(model)


def names(team=None) -> list[str]:
    """Names a caller may pin: the simulator, configured providers, the env Anthropic."""
    out = [SIMULATOR_NAME]
    out += [row.name for row in _rows(team) if row.name not in out]
    if anthropic_from_env() is not None and ANTHROPIC_NAME not in out:
        out.append(ANTHROPIC_NAME)
    return out
