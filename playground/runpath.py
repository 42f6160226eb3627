"""One run path: a call upstream, recorded, with its outcome classified. The proxy's relay and
the composer's runs (the run socket, tool loops, compare, the inspector's replay) both call
`run`; they differ only in what they do with the answer as it arrives.

    rec = runpath.record(provider, source="proxy", ...)        # never raises; finishes once
    result = await runpath.run(provider, rec, request, on_headers=..., on_piece=...)

Policy:

* The recording of a call knows the key of the provider it used, besides any key the caller
  passed (`secrets`): the recorder scrubs them from everything it stores about the call.
* `run` records the response's start, its body or its stream (raw chunks with `on_piece`,
  parsed events with `on_event`) and finishes the recording exactly once, whatever ends the
  call, including the caller's task being cancelled (`client_cancelled`, then the
  cancellation goes on).
* Outcomes, one table: the URL guard's refusal is `rejected`; a timeout before or during
  the answer is `timeout`; an upstream that cannot be reached, a non-2xx answer, or a 200
  without an event stream to a stream request is `upstream_error` (an error answer whose
  body is not in the API's shape, say a gateway's HTML page, is kept as it arrived and
  flagged `reshaped`: its client gets the API's shape); a stream cut before
  `message_stop` (or an `error` event) is `incomplete`, and so is one whose event grew past
  `upstream.MAX_EVENT_BYTES`; a stream that ended is what its events say (`completed` or
  `error_mid_stream`, decided by whoever accumulated them).
* Messages never carry exception text from the client library: it can hold URLs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from channels.db import database_sync_to_async

from playground import recording, upstream
from playground.contract.errors import error_type_for_status
from playground.contract.pricing import cost_usd
from playground.providers.config import ProviderConfig
from playground.recording import writer
from playground.recording.prices import price_for

log = logging.getLogger("playground.runpath")

CANCELLED = {"type": "client_cancelled", "message": "the run was stopped before the answer finished"}
# The `event:` lines that end a stream, spelled as the SSE rules allow. Pieces always start at
# an event boundary and a data line cannot hold a raw line break, so a match at a line start
# is a field line, never text inside a data value.
_END_FIELDS = (b"event: message_stop", b"event:message_stop", b"event: error", b"event:error")
_LINE_BREAKS = (b"\n", b"\r")


class RecorderUnavailable(Exception):
    """The recorder cannot take a new call; the proxy refuses it rather than relay unrecorded.
    `reason` says which limit was hit."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: object  # what upstream.request_headers accepts
    body: bytes
    query: str = ""
    stream: bool = False  # the caller asked for an event stream


@dataclass
class Result:
    """How a call ended. `outcome` None: the stream ended by itself, and what its events say
    decides (completed or error_mid_stream). `answered`: the upstream's status reached us."""

    status: int | None = None
    outcome: str | None = None
    error: dict | None = None  # {"type", "message"} in the API's words
    http_status: int = 502  # for a caller that has sent nothing yet: the status to answer with
    retry: bool = True  # whether a retry may help (x-should-retry)
    request_id: str | None = None
    headers: list | None = None
    body: bytes | None = None  # a non-stream answer, as received
    # An error answer whose body is not in the API's shape (a gateway's HTML page): a client
    # gets `error` in the API's shape, with the upstream's status, instead of `body`.
    reshaped: bool = False

    @property
    def answered(self) -> bool:
        return self.status is not None


# -- recording ------------------------------------------------------------------------------


class Recording:
    """A guarded handle on `recording.start_exchange`: never raises, finishes once.

    A deferred recording makes its exchange on `start()`, or on first use: the proxy starts
    it once the upstream request is on its way, so its hand-off overlaps the upstream's work."""

    def __init__(self, rec, starter: Callable[[], object] | None = None) -> None:
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


def recorder_saturated(team_id: int | None = None) -> str:
    """Why the recorder cannot take a call of the team (its queue, or the team's share of
    it, is full: its database is down or far behind), or "" when it can."""
    try:
        return writer.saturated(team_id)
    except Exception:
        log.exception("recording health check failed")
        return "its health check failed"


def record(
    provider: ProviderConfig | None,
    *,
    secrets: tuple[str, ...] = (),
    required: bool = False,
    deferred: bool = False,
    **fields,
) -> Recording:
    """Start recording a call to `provider` (`fields` as `recording.start_exchange` takes
    them). `required`: RecorderUnavailable when the recorder cannot take it. What can fail is
    prepared here; a deferred start only hands the prepared record to the writer."""
    if required and (reason := recorder_saturated(fields.get("team_id"))):
        raise RecorderUnavailable(reason)
    key = getattr(provider, "api_key", None)
    fields["secrets"] = (*secrets, key) if key else tuple(secrets)
    fields.setdefault("provider", getattr(provider, "name", "") or "")
    try:
        if deferred:
            return Recording(None, starter=lambda: recording.start_exchange(**fields))
        return Recording(recording.start_exchange(**fields))
    except Exception:
        log.exception("could not start a recording")
        if required:
            raise RecorderUnavailable from None
        return Recording(None)


# -- classifying ----------------------------------------------------------------------------


def failure(exc: upstream.UpstreamError) -> Result:
    """The result of a call that got no answer: outcome, API error, status to answer with."""
    if isinstance(exc, upstream.UpstreamRefused):
        # Nothing left the server, and a retry cannot help until an operator fixes it.
        return Result(outcome="rejected", error=_error(exc.error_type, str(exc)), http_status=400, retry=False)
    if isinstance(exc, upstream.UpstreamTimeout):
        return Result(outcome="timeout", error=_error("timeout_error", "The upstream did not answer in time."),
                      http_status=504)
    return Result(outcome="upstream_error", error=_error("api_error", "The upstream could not be reached."))


def _error(error_type: str, message: str) -> dict:
    return {"type": error_type, "message": message}


def _foreign_error(status: int) -> dict:
    """The API's error for an error answer not in its shape (the body itself is recorded)."""
    return _error(error_type_for_status(status), f"The upstream answered HTTP {status} without an API error body.")


def stream_cut(exc: BaseException | None) -> dict:
    """The outcome and error of a stream that stopped before its end (None: the connection
    closed), for the record and for the `error` event a client gets instead of a clean end."""
    if isinstance(exc, upstream.UpstreamTimeout):
        return {"outcome": "timeout", "error": _error("timeout_error", "The upstream went silent mid-stream.")}
    if isinstance(exc, upstream.EventTooLarge):
        mb = upstream.MAX_EVENT_BYTES // (1024 * 1024)
        return {"outcome": "incomplete", "error": _error(
            "api_error", f"The upstream sent an event over {mb} MB; the stream was stopped.")}
    return {"outcome": "incomplete",
            "error": _error("api_error", "The upstream connection closed before the stream finished.")}


def has_end_event(piece: bytes) -> bool:
    """Whether `piece` (whole events) holds a `message_stop` or `error` event."""
    for field in _END_FIELDS:
        at = piece.find(field)
        while at >= 0:
            after = at + len(field)
            if (at == 0 or piece[at - 1 : at] in _LINE_BREAKS) and piece[after : after + 1] in _LINE_BREAKS:
                return True
            at = piece.find(field, at + 1)
    return False


def content_type(headers) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value
    return ""


def error_of(body: object) -> dict | None:
    """The {type, message} of an API error body or error event."""
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(err.get("type"), str):
            return {"type": err["type"], "message": str(err.get("message", ""))}
    return None


# -- the run --------------------------------------------------------------------------------


async def run(
    provider: ProviderConfig,
    rec: Recording,
    request: Request,
    *,
    on_headers: Callable[[upstream.UpstreamResponse, bool], Awaitable[None]] | None = None,
    on_piece: Callable[[bytes], Awaitable[None]] | None = None,
    on_event: Callable[[upstream.StreamedEvent], Awaitable[None]] | None = None,
) -> Result:
    """Send `request` to `provider`, record everything, finish the recording, classify.

    `on_headers(response, is_stream)` runs once the answer's head arrived. A stream goes to
    `on_piece` (whole events as bytes, unparsed: the relay) or to `on_event` (parsed). A
    non-stream body is read whole and returned in the result. A stream that stops before its
    end comes back with the outcome and error `stream_cut` gives (the caller decides what its
    client sees); the caller's exceptions from the callbacks propagate after the recording
    is finished."""
    result = Result()
    try:
        async with upstream.open(
            provider, request.method, request.path, query=request.query, headers=request.headers,
            body=request.body, on_sent=rec.start,
        ) as resp:
            arrived = time.monotonic()
            result.status, result.request_id, result.headers = resp.status, resp.request_id, resp.headers
            is_stream = resp.status == 200 and "text/event-stream" in content_type(resp.headers).lower()
            if on_headers is not None:
                await on_headers(resp, is_stream)
            if is_stream:
                await _stream(resp, rec, result, arrived, on_piece, on_event)
            else:
                rec.response_started(resp.status, resp.headers, arrived)
                await _body(resp, rec, result, request)
    except upstream.UpstreamError as exc:
        # No answer, or a non-stream body that broke off (a stream's end is settled in _stream).
        answer = failure(exc)
        answer.status, answer.request_id, answer.headers = result.status, result.request_id, result.headers
        result = answer
    except asyncio.CancelledError:
        rec.finish(outcome="client_cancelled", error=CANCELLED)
        raise
    except OSError:
        # The caller's own side failed while handing the answer on: its client went away.
        rec.finish(outcome="client_cancelled", error=CANCELLED)
        raise
    except BaseException:
        rec.finish(outcome="incomplete", error=_error("api_error", "The call failed while relaying."))
        raise
    rec.finish(outcome=result.outcome, error=result.error)
    return result


async def _stream(resp, rec: Recording, result: Result, arrived: float, on_piece, on_event) -> None:
    ended = False
    started = False  # the response's start is recorded once the first bytes are handed on
    try:
        if on_piece is not None:
            async for piece, chunk, t in resp.pieces():
                try:
                    if piece:
                        await on_piece(piece)
                        ended = ended or has_end_event(piece)
                finally:
                    if not started:
                        started = True
                        rec.response_started(resp.status, resp.headers, arrived)
                    # Recorded as read, whole events or not (a cut one included): the
                    # recorder parses them, off this path.
                    rec.chunk(chunk, t)
        else:
            rec.response_started(resp.status, resp.headers, arrived)
            started = True
            async for ev in resp.events():
                rec.event(ev.raw, ev.t, ev.sse)
                # An event the stream closed in the middle of (no blank line after it) is
                # recorded and passed on, but it did not end the stream.
                ended = ended or (ev.sse.terminated and ev.sse.event in ("message_stop", "error"))
                await on_event(ev)
        cut: BaseException | None = None
    except (upstream.UpstreamTimeout, upstream.EventTooLarge) as exc:
        cut = exc
    finally:
        if not started:  # no bytes came (or the caller left first)
            rec.response_started(resp.status, resp.headers, arrived)
    if not ended:
        stopped = stream_cut(cut)
        result.outcome, result.error = stopped["outcome"], stopped["error"]


async def _body(resp, rec: Recording, result: Result, request: Request) -> None:
    raw = await resp.aread()
    rec.body(raw)
    result.body = raw
    if resp.status >= 400:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        result.outcome = "upstream_error"
        shaped = upstream.api_error_shaped(parsed)
        result.error = error_of(parsed) if shaped else _foreign_error(resp.status)
        result.reshaped = not shaped
    elif resp.status >= 300:
        # Redirects are never followed (the key would go to wherever they point).
        result.outcome = "upstream_error"
        result.error = _error("api_error", f"The upstream answered {resp.status} (a redirect, not followed).")
    elif request.stream and resp.status == 200:
        # A 200 that is not a stream, to a stream request: a gateway page or a broken upstream.
        result.outcome = "upstream_error"
        result.error = _error("api_error", "The upstream answered without an event stream.")


# -- cost -----------------------------------------------------------------------------------


def _cost_sync(model: str, usage: dict) -> Decimal | None:
    price = price_for(model)
    return cost_usd(usage, price) if price is not None else None


async def cost(model: str | None, usage: dict | None) -> Decimal | None:
    """A call's cost from the editable price table (read off the event loop)."""
    if not usage or not model:
        return None
    try:
        return await database_sync_to_async(_cost_sync)(model, usage)
    except Exception:  # informative only: the recorder stores the authoritative figure
        log.exception("cost lookup failed")
        return None
