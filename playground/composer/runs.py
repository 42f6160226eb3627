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
* The call goes through the one run path (`playground.runpath`, shared with the proxy): it
  is recorded whatever happens, with the provider's key scrubbed, and classified by the
  same table: an upstream 4xx/5xx is `upstream_error` with the API's own error body, an
  `error` event mid-stream is `error_mid_stream` with the partial message, a stream cut
  before `message_stop` is `incomplete`, an upstream timeout is `timeout`, and a cancel
  (the `cancel` event, or this task being cancelled) is `client_cancelled` with whatever
  had arrived. Cancelling closes the upstream response at once, so generation stops
  upstream, including while waiting for the first byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from playground import providers, runpath
from playground.composer.results import RunEvent, RunRefused, RunResult, RunStart
from playground.contract.accumulate import Accumulator
from playground.recording.redact import clean_secrets, scrub_bytes, scrub_json, scrub_text

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


async def _resolve(model: Any, provider: str | None, team_id: int | None):
    """The provider for this run, from the team's configuration (never from the caller)."""
    if not isinstance(model, str) or not model:
        raise RunRefused("invalid_request_error", "model: Field required")
    try:
        return await providers.aresolve(model, team=team_id, provider_name=provider or None)
    except providers.UnknownModel as exc:
        raise RunRefused("not_found_error", f"model: {model}") from exc
    except (providers.ProviderUnavailable, providers.URLRefused) as exc:
        raise RunRefused("not_found_error", str(exc) or f"provider: {provider}") from exc


async def _call(callback: Callable | None, arg: Any) -> None:
    if callback is None:
        return
    result = callback(arg)
    if inspect.isawaitable(result):
        await result


class _Run:
    """The state of one run while it streams (so a cancel can settle what had arrived).

    `secrets` (the provider's key) are scrubbed from what the run hands on: an upstream that
    echoes the key back must not show it on the page (the recorder scrubs what it stores)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = secrets
        self.acc = Accumulator()
        self.started = time.monotonic()
        self.first_token: float | None = None
        self.last_event: float | None = None
        self.seq = 0
        self.message: dict | None = None

    def add(self, ev) -> RunEvent:
        sse = ev.sse
        try:
            data = json.loads(sse.data) if sse.data else None
        except ValueError:
            data = None
        self.acc.add_sse(sse)  # the accumulator reads the event itself and flags what is wrong
        if not isinstance(data, dict):
            data = sse.data
        raw = ev.raw
        if self.secrets and any(secret.encode() in raw for secret in self.secrets):
            raw, data = scrub_bytes(raw, self.secrets), scrub_json(data, self.secrets)
        now = ev.t
        if self.first_token is None and sse.event == "content_block_delta":
            self.first_token = now
        self.last_event = now
        out = RunEvent(self.seq, round((now - self.started) * 1000, 3), sse.event, data, raw, now, sse)
        self.seq += 1
        return out

    def settle(self, outcome: str | None, error: dict | None) -> tuple[str, dict | None]:
        """The stream's message, and its outcome and error unless the run path set them."""
        result = self.acc.finish()
        self.message = result.message
        if outcome is not None:
            return outcome, error
        if result.outcome == "completed":
            return "completed", error
        if result.outcome == "error":
            return "error_mid_stream", error or runpath.error_of(result.error)
        return "incomplete", error

    def timings(self) -> tuple[float | None, float | None]:
        ttft = None if self.first_token is None else round((self.first_token - self.started) * 1000, 1)
        out_tokens = ((self.message or {}).get("usage") or {}).get("output_tokens")
        tps = None
        if self.first_token is not None and self.last_event and out_tokens:
            span = self.last_event - self.first_token
            tps = round(out_tokens / span, 1) if span > 0.001 else None
        return ttft, tps


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
    if not isinstance(body, dict):
        raise RunRefused("invalid_request_error", "body: Input should be an object")
    body = dict(body)
    if source == "playground":
        body["stream"] = True
    sent_headers = {"content-type": "application/json", **upstream_headers(headers)}
    raw_body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    model = body.get("model") if isinstance(body.get("model"), str) else None
    cfg = await _resolve(model, provider, team_id)
    provider_name = getattr(cfg, "name", provider)
    secrets = clean_secrets([getattr(cfg, "api_key", None)])

    rec = runpath.record(
        cfg,
        source=source,
        method="POST",
        path="/v1/messages",
        query="",
        request_headers=sent_headers,
        request_body=raw_body,
        team_id=team_id,
        user_id=user_id,
        proxy_key_name=None,
        thread_hint=thread,
    )
    run = _Run(secrets)
    await _call(on_start, RunStart(rec.public_id, model, provider_name))

    async def on_upstream_event(ev) -> None:
        await _call(on_event, run.add(ev))

    request = runpath.Request("POST", "/v1/messages", sent_headers, raw_body, stream=body.get("stream") is True)
    task = asyncio.ensure_future(runpath.run(cfg, rec, request, on_event=on_upstream_event))
    waiter = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    hard_cancel = False
    try:
        await asyncio.wait({task} if waiter is None else {task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
    except asyncio.CancelledError:
        # The caller's task was cancelled (socket closed, server stopping): stop upstream,
        # let the run path record what arrived, then let the cancellation go on.
        hard_cancel = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(asyncio.wait({task}, timeout=1))
    finally:
        if waiter is not None:
            waiter.cancel()
    if task.done() and not task.cancelled() and task.exception() is None:
        result = task.result()
    else:
        if task.done() and not task.cancelled():
            log.error("run failed", exc_info=task.exception())
        result = runpath.Result(outcome="client_cancelled", error=runpath.CANCELLED)
    if hard_cancel:
        raise asyncio.CancelledError

    outcome, error = result.outcome, result.error
    message = None
    if run.seq > 0:
        outcome, error = run.settle(outcome, error)
        message = run.message
    elif result.body is not None:
        try:
            parsed = json.loads(result.body)
        except ValueError:
            parsed = None
        if outcome is None and isinstance(parsed, dict):
            message = parsed
            run.first_token = run.last_event = time.monotonic()
    outcome = outcome or ("completed" if message is not None else "incomplete")
    request_id = result.request_id
    if secrets:
        message = scrub_json(message, secrets)
        error = scrub_json(error, secrets)
        request_id = scrub_text(request_id, secrets) if request_id else request_id
    usage = message.get("usage") if isinstance(message, dict) else None
    ttft, tps = run.timings()
    return RunResult(
        public_id=rec.public_id,
        outcome=outcome,
        status=result.status,
        message=message,
        usage=usage,
        stop_reason=message.get("stop_reason") if isinstance(message, dict) else None,
        cost_usd=await runpath.cost(model, usage),
        ttft_ms=ttft,
        tokens_per_s=tps,
        error=error,
        request_id=request_id,
        provider=provider_name,
    )
