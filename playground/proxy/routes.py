"""The proxy's edges to its neighbours: body parsing (contract), provider choice
(providers) and recording (recording), each behind one small function.

Provider lookups are cached in-process per (team, pin, model) and refreshed in the
background (cache.py): a model id resolves the same way on every call of a tool loop, and
the provider table changes rarely. Recording calls are guarded: the recorder must never break a relay, and a call
is finished exactly once whatever path ends it.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async

from playground.contract.errors import error_body, status_for
from playground.contract.validate import api_error, parse_body
from playground.proxy.cache import RefreshingCache, each
from playground.proxy.call import Call

log = logging.getLogger("playground.proxy")

PROVIDER_TTL = 2.0
PROVIDER_GRACE = 2.0
LISTING_PROBE = "claude-sonnet-4-5"


class RouteError(Exception):
    def __init__(self, error_type: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status = status or status_for(error_type)


class RecorderUnavailable(RouteError):
    def __init__(self) -> None:
        super().__init__(
            "api_error", "The recorder is unavailable, so the call was not sent.", status=503
        )


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


def _resolve_sync(team_id: int, pinned: str, model: str):
    from playground import providers
    from playground.teams.models import Team

    team = Team.objects.filter(pk=team_id).first()
    if pinned:
        return providers.get(pinned, team=team)
    if not model:
        # GET /v1/models names no model: list what serves Claude ids for this team (the
        # API the SDK believes it talks to), else the simulator's models.
        try:
            return providers.resolve(LISTING_PROBE, team=team)
        except providers.UnknownModel:
            return providers.SIMULATOR
    return providers.resolve(model, team=team)


def _outcome_sync(team_id: int, pinned: str, model: str) -> tuple[object | None, RouteError | None]:
    # Refusals are cached like answers: a client retrying an unknown model costs nothing.
    from playground.providers.config import ProviderUnavailable, UnknownModel

    try:
        return _resolve_sync(team_id, pinned, model), None
    except UnknownModel:
        return None, RouteError("not_found_error", f"model: {model}")
    except ProviderUnavailable as exc:
        return None, RouteError("invalid_request_error", str(exc) or "provider unavailable")


_providers = RefreshingCache(
    database_sync_to_async(_outcome_sync),
    load_many=database_sync_to_async(each(_outcome_sync)),
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
        raise RouteError(error.error_type, str(error), error.status)
    return provider


def provider_names(team=None) -> set[str] | None:
    try:
        from playground import providers

        return set(providers.names(team=team))
    except Exception:  # the providers app may not be migrated yet (fresh checkout)
        return None


class Recording:
    """A guarded handle on recording.start_exchange: never raises, finishes once.

    A deferred recording makes its exchange on `start()`, or on first use: the relay starts
    it once the upstream request is on its way, so the redaction and hand-off overlap the
    upstream's work instead of delaying the request."""

    def __init__(self, rec, starter=None) -> None:
        self._rec = rec
        self._starter = starter
        self.finished = False

    def start(self) -> None:
        if self._starter is not None:
            starter, self._starter = self._starter, None
            try:
                self._rec = starter()
            except Exception:  # the request is already upstream: go on unrecorded, loudly
                log.exception("could not start a deferred recording")

    @property
    def public_id(self) -> str | None:
        self.start()
        return getattr(self._rec, "public_id", None)

    def _call(self, name: str, *args, **kwargs) -> None:
        self.start()
        if self._rec is None:
            return
        try:
            getattr(self._rec, name)(*args, **kwargs)
        except Exception:
            log.exception("recording.%s failed", name)

    def response_started(self, status: int, headers, t: float | None = None) -> None:
        self._call("response_started", status, headers, t)

    def event(self, raw: bytes, t: float, sse) -> None:
        self._call("event", raw, t, sse)

    def chunk(self, raw: bytes, t: float) -> None:
        self._call("chunk", raw, t)

    def body(self, raw: bytes) -> None:
        self._call("body", raw)

    def finish(self, outcome: str | None = None, error: dict | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        self._call("finish", outcome=outcome, error=error)


def recorder_saturated() -> bool:
    """The recorder's queue is full (its database is down or far behind): new calls are
    refused rather than relayed unrecorded."""
    from playground.recording import writer

    try:
        return writer.saturated()
    except Exception:
        log.exception("recording health check failed")
        return True


def start_recording(
    call: Call, provider, *, source: str, required: bool = True, deferred: bool = False
) -> Recording:
    """Starts the exchange's record (on `start()` or first use, when `deferred`). Fails
    closed (RecorderUnavailable) when `required`: an unrecorded proxy call would break the
    product's promise that every call is kept. What can fail is prepared here, before any
    request leaves; a deferred start only hands the prepared record to the writer."""
    from playground import recording

    if required and recorder_saturated():
        raise RecorderUnavailable()
    try:
        fields = {
            "source": source,
            "method": call.method,
            "path": call.path,
            "query": call.query,
            "request_headers": call.recorded_headers(),
            "request_body": call.body,
            "provider": getattr(provider, "name", "") if provider is not None else "",
            "team_id": call.key.team_id,
            "user_id": None,
            "proxy_key_name": call.key.name,
            "thread_hint": call.thread_hint(),
            "secrets": call.secrets,
            "t0": call.received_at,
        }
        if deferred:
            return Recording(None, starter=lambda: recording.start_exchange(**fields))
        return Recording(recording.start_exchange(**fields))
    except Exception:
        log.exception("could not start a recording for %s", call.request_id)
        if required:
            raise RecorderUnavailable() from None
        return Recording(None)


async def record_rejected(call: Call, status: int, body: dict) -> None:
    """A request the proxy refused (bad JSON, no model) is still recorded, so it can be
    inspected; the raw bytes are kept as sent."""
    import json

    rec = start_recording(call, None, source="proxy", required=False)
    rec.response_started(status, [("content-type", "application/json")])
    rec.body(json.dumps(body).encode())
    rec.finish(outcome="rejected", error=body.get("error"))
