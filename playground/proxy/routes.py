"""The proxy's edges to its neighbours: body parsing (contract), provider choice
(providers) and recording (runpath), each behind one small function.

Provider choices are cached in-process per (team, pin, model) and refreshed in the
background (refreshing.py): a model id resolves the same way on every call of a tool loop,
and the provider table changes rarely.
"""

from __future__ import annotations

import json
import logging

from playground import providers, runpath
from playground.contract.errors import error_body, status_for
from playground.contract.validate import api_error, parse_body
from playground.proxy.call import Call
from playground.proxy.refreshing import RefreshingCache

log = logging.getLogger("playground.proxy")

PROVIDER_TTL = 2.0
PROVIDER_GRACE = 2.0
LISTING_PROBE = "claude-sonnet-4-5"


class RouteError(Exception):
    def __init__(self, error_type: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status = status or status_for(error_type)


def parse(call: Call) -> tuple[int, dict] | None:
    """Parses the JSON body into call.parsed/model/stream; (status, error body) when bad."""
    obj, findings = parse_body(call.body)
    if any(f.severity == "error" for f in findings):
        answer = api_error(findings, call.request_id)
        if answer is not None:
            return answer
    if not isinstance(obj, dict):
        return _bad(call, "The request body must be a JSON object.")
    model = obj.get("model")
    if not isinstance(model, str) or not model.strip():
        return _bad(call, "model: Field required")
    call.parsed = obj
    call.model = model
    call.stream = call.endpoint == "messages" and obj.get("stream") is True
    return None


def _bad(call: Call, message: str) -> tuple[int, dict]:
    return 400, error_body("invalid_request_error", message, call.request_id)


async def _route(team_id: int, pinned: str, model: str) -> tuple[object | None, RouteError | None]:
    # Refusals are cached like answers: a client retrying an unknown model costs nothing.
    try:
        if not pinned and not model:
            # GET /v1/models names no model: list what serves Claude ids for this team (the
            # API the SDK believes it talks to), else the simulator's models.
            try:
                return await providers.aresolve(LISTING_PROBE, team=team_id), None
            except providers.UnknownModel:
                return providers.SIMULATOR, None
        return await providers.aresolve(model, team=team_id, provider_name=pinned or None), None
    except providers.UnknownModel:
        return None, RouteError("not_found_error", f"model: {model}")
    except providers.ProviderUnavailable as exc:
        return None, RouteError("invalid_request_error", str(exc) or "provider unavailable")


_providers = RefreshingCache(
    _route,
    warm_if=lambda outcome: outcome[1] is None,  # routes that work, not refusals
    ttl=PROVIDER_TTL,
    grace=PROVIDER_GRACE,
    size=2000,
)


async def provider_for(call: Call):
    """The configured provider for this call (pin, else model), or RouteError."""
    key = (call.key.team_id, call.key.provider, call.model)
    provider, error = await _providers.get(key, *key)
    if error is not None:
        raise error
    return provider


def provider_names(team=None) -> set[str] | None:
    try:
        return set(providers.names(team=team))
    except Exception:  # the providers app may not be migrated yet (fresh checkout)
        return None


def start_recording(
    call: Call, provider, *, source: str, required: bool = True, deferred: bool = False
) -> runpath.Recording:
    """Starts the call's record (see runpath.record). Fails closed (RecorderUnavailable)
    when `required`: an unrecorded proxy call would break the promise that every call is kept."""
    return runpath.record(
        provider,
        required=required,
        deferred=deferred,
        secrets=call.secrets,
        source=source,
        method=call.method,
        path=call.path,
        query=call.query,
        request_headers=call.recorded_headers(),
        request_body=call.body,
        team_id=call.key.team_id,
        user_id=None,
        proxy_key_name=call.key.name,
        thread_hint=call.thread_hint(),
        t0=call.received_at,
    )


async def record_rejected(call: Call, status: int, body: dict) -> None:
    """A request the proxy refused (bad JSON, no model) is still recorded, so it can be
    inspected; the raw bytes are kept as sent."""
    rec = start_recording(call, None, source="proxy", required=False)
    rec.response_started(status, [("content-type", "application/json")])
    rec.body(json.dumps(body).encode())
    rec.finish(outcome="rejected", error=body.get("error"))
