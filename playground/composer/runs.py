"""One run of a Messages request from the server side: validate, send, record, relay, summarize.

`run_request` is what the playground's WebSocket consumer, tool-loop automation, compare and
the inspector's replay button call. Policy:

* The body is sent exactly as given, except that playground runs force `"stream": true`
  (a replay keeps the recorded request's own `stream` flag). The contract validator never
  blocks a run here: the page decides whether a request it rejects is sent anyway, and the
  recorder stores the findings with the exchange (off the event loop, in its writer).
* Only a known set of caller headers goes upstream (`anthropic-version`, `anthropic-beta`,
  the simulator's `x-sim-*`); credentials come from the provider configuration, never
  from the caller.
* Every run is recorded, whatever happens: an upstream 4xx/5xx is `upstream_error` with the
  API's own error body, an `error` event mid-stream is `error_mid_stream` with the partial
  message, a stream cut before `message_stop` is `incomplete`, an upstream timeout is
  `timeout`, and a cancel (the `cancel` event, or this task being cancelled) is
  `client_cancelled` with whatever had arrived. Cancelling closes the upstream response at
  once, so generation stops upstream, including while waiting for the first byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
from channels.db import database_sync_to_async

from playground.composer.results import RunEvent, RunRefused, RunResult, RunStart

log = logging.getLogger(__name__)

PASS_HEADERS = ("anthropic-version", "anthropic-beta")
SIM_HEADER_PREFIX = "x-sim-"
DEFAULT_VERSION = "2023-06-01"
MAX_HEADER_VALUE = 2048


def upstream_headers(headers: dict | None) -> dict[str, str]:
    """The caller headers that may go upstream, lower-cased; anthropic-version defaulted."""
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        lname = name.strip().lower()
        if lname not in PASS_HEADERS and not lname.startswith(SIM_HEADER_PREFIX):
            continue
        if not value or len(value) > MAX_HEADER_VALUE or any(c in value for c in "\r\n\0"):
            continue
        out[lname] = value
    out.setdefault("anthropic-version", DEFAULT_VERSION)
    return out


def _resolve_sync(model: str, provider: str | None, team_id: int | None):
    from playground import providers
    from playground.teams.models import Team

    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    return providers.resolve(model, team=team, provider_name=provider)


async def _resolve(model: Any, provider: str | None, team_id: int | None):
    """The provider for this run, from the team's configuration (never from the caller)."""
    from playground import providers

    if not isinstance(model, str) or not model:
        raise RunRefused("invalid_request_error", "model: Field required")
    provider = provider or None
    try:
        # The built-in simulator needs no database read.
        if provider is None and model.startswith("sim"):
            return providers.resolve(model)
        if provider == providers.SIMULATOR.name:
            return providers.get(provider)
        return await database_sync_to_async(_resolve_sync)(model, provider, team_id)
    except providers.UnknownModel as exc:
        raise RunRefused("not_found_error", f"model: {model}") from exc
    except (providers.ProviderUnavailable, providers.URLRefused) as exc:
        raise RunRefused("not_found_error", str(exc) or f"provider: {provider}") from exc


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TimeoutException | asyncio.TimeoutError | TimeoutError):
        return True
    return "timeout" in type(exc).__name__.lower()


def _cost_sync(model: str, usage: dict) -> Decimal | None:
    from playground.contract.pricing import cost_usd
    from playground.recording.prices import price_for

    price = price_for(model)
    return cost_usd(usage, price) if price is not None else None


async def _cost(model: str | None, usage: dict | None) -> Decimal | None:
    """The run's cost from the editable price table (read off the event loop; cached there)."""
    if not usage or not model:
        return None
    try:
        return await database_sync_to_async(_cost_sync)(model, usage)
    except Exception:  # cost is informative here; the recorder stores the authoritative figure
        log.exception("cost lookup failed")
        return None


async def _call(callback: Callable | None, arg: Any) -> None:
    if callback is None:
        return
    result = callback(arg)
    if inspect.isawaitable(result):
        await result


class _Run:
    """The state of one run while it streams (so a cancel can record what had arrived)."""

    def __init__(self) -> None:
        from playground.contract.accumulate import Accumulator

        self.acc = Accumulator()
        self.started = time.monotonic()
        self.first_token: float | None = None
        self.last_event: float | None = None
        self.seq = 0
        self.status: int | None = None
        self.request_id: str | None = None
        self.message: dict | None = None
        self.error: dict | None = None
        self.outcome: str | None = None

    def add(self, ev) -> RunEvent:
        sse = ev.sse
        try:
            data = json.loads(sse.data) if sse.data else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            self.acc.add(sse.event, data)
        else:
            self.acc.add_sse(sse)  # the accumulator flags what does not parse
            data = sse.data
        now = ev.t
        if self.first_token is None and sse.event == "content_block_delta":
            self.first_token = now
        self.last_event = now
        out = RunEvent(self.seq, round((now - self.started) * 1000, 3), sse.event, data, ev.raw, now, sse)
        self.seq += 1
        return out

    def settle(self) -> None:
        """Fold the accumulator into message/outcome/error (for streams)."""
        result = self.acc.finish()
        self.message = result.message
        if result.outcome == "completed":
            self.outcome = self.outcome or "completed"
        elif result.outcome == "error":
            self.outcome = self.outcome or "error_mid_stream"
            self.error = self.error or _error_of(result.error)
        else:
            self.outcome = self.outcome or "incomplete"

    def timings(self) -> tuple[float | None, float | None]:
        ttft = None if self.first_token is None else round((self.first_token - self.started) * 1000, 1)
        out_tokens = ((self.message or {}).get("usage") or {}).get("output_tokens")
        tps = None
        if self.first_token is not None and self.last_event and out_tokens:
            span = self.last_event - self.first_token
            tps = round(out_tokens / span, 1) if span > 0.001 else None
        return ttft, tps


def _error_of(body: Any) -> dict | None:
    """The {type, message} of an API error body or error event."""
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(err.get("type"), str):
            return {"type": err["type"], "message": str(err.get("message", ""))}
    return None


async def _stream(cfg, raw_body: bytes, headers: dict, rec, run: _Run, on_event) -> None:
    from playground import upstream

    async with upstream.open(cfg, "POST", "/v1/messages", headers=headers, body=raw_body) as resp:
        run.status = resp.status
        run.request_id = resp.request_id
        rec.response_started(resp.status, list(resp.headers))
        ctype = ""
        for name, value in resp.headers:
            if name.lower() == "content-type":
                ctype = value.lower()
        if resp.status >= 400 or "text/event-stream" not in ctype:
            raw = await resp.aread()
            rec.body(raw)
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if resp.status >= 400:
                run.outcome = "upstream_error"
                run.error = _error_of(parsed) or {
                    "type": "api_error",
                    "message": f"upstream answered {resp.status}",
                }
            else:
                run.outcome = "completed"
                run.message = parsed if isinstance(parsed, dict) else None
                run.first_token = run.last_event = time.monotonic()
            return
        async for ev in resp.events():
            rec.event(ev.raw, ev.t, ev.sse)
            item = run.add(ev)
            await _call(on_event, item)


async def run_request(
    body: dict,
    *,
    provider: str | None,
    headers: dict,
    source: str = "playground",
    team_id: int | None,
    user_id: int | None,
    thread: str | None = None,
    on_event: Callable[[RunEvent], Awaitable[None] | None] | None = None,
    on_start: Callable[[RunStart], Awaitable[None] | None] | None = None,
    cancel: asyncio.Event | None = None,
) -> RunResult:
    """Send `body` upstream, record the exchange and return its summary (never raises for
    upstream trouble; RunRefused when the model or provider is unknown)."""
    from playground import recording

    if not isinstance(body, dict):
        raise RunRefused("invalid_request_error", "body: Input should be an object")
    body = dict(body)
    if source == "playground":
        body["stream"] = True
    sent_headers = upstream_headers(headers)
    raw_body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    model = body.get("model") if isinstance(body.get("model"), str) else None
    cfg = await _resolve(model, provider, team_id)
    provider_name = getattr(cfg, "name", provider)

    rec = recording.start_exchange(
        source=source,
        method="POST",
        path="/v1/messages",
        query="",
        request_headers={"content-type": "application/json", **sent_headers},
        request_body=raw_body,
        provider=provider_name,
        team_id=team_id,
        user_id=user_id,
        proxy_key_name=None,
        thread_hint=thread,
    )
    run = _Run()
    await _call(on_start, RunStart(rec.public_id, model, provider_name))

    stream_task = asyncio.ensure_future(
        _stream(cfg, raw_body, {"content-type": "application/json", **sent_headers}, rec, run, on_event)
    )
    waiter = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    hard_cancel = False
    try:
        waiting = {stream_task} if waiter is None else {stream_task, waiter}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if not stream_task.done():
            run.outcome = "client_cancelled"
            stream_task.cancel()
            await asyncio.wait({stream_task})
    except asyncio.CancelledError:
        # The caller's task was cancelled (socket closed, server stopping): stop upstream,
        # record what arrived, then let the cancellation go on.
        hard_cancel = True
        run.outcome = "client_cancelled"
        stream_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(asyncio.wait({stream_task}, timeout=1))
    finally:
        if waiter is not None:
            waiter.cancel()
    if stream_task.done() and not stream_task.cancelled():
        exc = stream_task.exception()
        if exc is not None and run.outcome != "client_cancelled":
            if _is_timeout(exc):
                run.outcome = "timeout"
                run.error = {"type": "timeout_error", "message": str(exc) or "upstream timed out"}
            else:
                log.info("upstream failed: %r", exc)
                # Before any event it is an upstream failure; after some, a cut stream
                # (`incomplete`, settled from what arrived).
                if run.seq == 0:
                    run.outcome = "upstream_error"
                run.error = run.error or {
                    "type": "api_error",
                    "message": f"upstream connection failed ({type(exc).__name__})",
                }
    elif run.outcome is None:
        run.outcome = "client_cancelled"

    streamed = run.seq > 0 or (run.status is not None and run.status < 400 and run.message is None)
    if streamed:
        run.settle()
    if run.outcome == "client_cancelled" and run.error is None:
        run.error = {"type": "client_cancelled", "message": "the run was stopped before the answer finished"}
    rec.finish(outcome=run.outcome, error=run.error)
    if hard_cancel:
        raise asyncio.CancelledError

    message = run.message
    usage = (message or {}).get("usage") if isinstance(message, dict) else None
    ttft, tps = run.timings()
    return RunResult(
        public_id=rec.public_id,
        outcome=run.outcome or "incomplete",
        status=run.status,
        message=message,
        usage=usage,
        stop_reason=(message or {}).get("stop_reason") if isinstance(message, dict) else None,
        cost_usd=await _cost(model, usage),
        ttft_ms=ttft,
        tokens_per_s=tps,
        error=run.error,
        request_id=run.request_id,
        provider=provider_name,
    )
