"""The simulator's core: one request in, one response out, the way the Messages API answers.

`handle(method, path, query, headers, body) -> SimResponse` serves `POST /v1/messages`
(JSON or SSE), `POST /v1/messages/count_tokens`, `GET /v1/models` and `GET /v1/models/{id}`.
The standalone ASGI app (asgi.py) and the in-process httpx transport (transport.py) are
thin adapters around it.

Policy:

* Invalid requests are answered by the contract validator exactly as the API would (status,
  error shape, message, `request-id`); a model id not starting with `sim` is a 404
  `model: <id>` like CAP 19. Ids are derived from a hash of the request (minus `stream`)
  and the content controls, so a request always gets the same message; only `request-id`
  and the rate-limit reset times vary.
* Streams are built from the finished message (`message_to_events`) and encoded one event at
  a time as the body iterator is pulled: nothing is encoded ahead of the reader, there is no
  sleep unless `x-sim-delay-ms` asks for one, and closing the iterator stops generation at
  once. Each chunk is one whole event.
* No request holds the event loop: checking the body and building the whole answer (the
  message and its events) run on a small thread pool of their own (`_WORKERS`), the work is
  bounded (schema_fill.py caps tool inputs and structured output; the body is capped at
  32 MB), and an unpaced stream gives the loop back every `_YIELD_EVERY` bytes it encodes.
  Threads share the GIL, so a large answer slows other requests a little; it never stops
  them (the loop gets the GIL back every switch interval).
* Faults (`x-sim-fault`, controls.py) replace the answer with a 529/429/500 before any byte,
  or break a stream after some deltas: an `error` event, a dropped connection
  (`SimulatedCut` raised from the body iterator; the adapters turn it into a real cut), or a
  silence of `x-sim-stall-ms`. For non-streaming answers `error_mid_stream` is a 529 and
  `cut_mid_stream` drops the connection half way through the JSON body.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from playground.contract import validate
from playground.contract.errors import error_body, new_request_id
from playground.contract.events import message_to_events
from playground.contract.sse import encode_event
from playground.simulator import catalogue, tokens
from playground.simulator.behaviour import plan_message
from playground.simulator.controls import (
    STATUS_FAULTS,
    ControlError,
    Controls,
    fault_for,
    parse_controls,
)
from playground.simulator.thinking import tampered_block

# Rate-limit buckets, shaped like CAP 02's headers.
_LIMITS = {"requests": 20_000, "input-tokens": 4_000_000, "output-tokens": 800_000, "tokens": 4_800_000}
_FAULT_ERRORS = {
    "overloaded": (529, "overloaded_error", "Overloaded"),
    "rate_limit": (
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests per "
        "minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can "
        "see the response headers for current usage. Please reduce the prompt length or the "
        "maximum tokens requested, or try again later.",
    ),
    "server_error": (500, "api_error", "Internal server error"),
}
_RETRYABLE = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
# Two threads: requests beyond them queue, so simulator answers can use at most two cores'
# worth of turns at the GIL, whatever arrives at once.
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="simulator")
# An unpaced stream awaits nothing between events; it yields to the loop after this many bytes.
_YIELD_EVERY = 64 * 1024


async def _off_loop(work: Callable, *args: object) -> object:
    return await asyncio.get_running_loop().run_in_executor(_WORKERS, work, *args)


class SimulatedCut(Exception):
    """Raised by a body iterator where the connection should drop (cut_mid_stream)."""


@dataclass
class SimResponse:
    status: int
    headers: list[tuple[str, str]]
    body: AsyncIterator[bytes]
    # True when nothing paces the body (no delay, no stall): a server may merge its chunks
    # into larger writes. The in-process transport keeps one event per chunk regardless.
    coalesce: bool = False


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _cut_json(data: bytes) -> AsyncIterator[bytes]:
    yield data[: len(data) // 2]
    raise SimulatedCut("cut_mid_stream")


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ratelimit_headers(input_tokens: int = 0, max_tokens: int = 0, *, exhausted: bool = False,
                       retry_after: int = 0) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    reset = _rfc3339(now + timedelta(seconds=retry_after if exhausted else 0))
    used = {"requests": 1, "input-tokens": input_tokens, "output-tokens": max_tokens,
            "tokens": input_tokens + max_tokens}
    out = []
    for bucket, limit in _LIMITS.items():
        if exhausted and bucket == "requests":
            remaining = 0
        elif bucket == "requests":
            remaining = limit - used[bucket]
        else:
            # The API rounds the token buckets' remaining values to the nearest thousand.
            remaining = max(0, round((limit - used[bucket]) / 1000) * 1000)
        out += [
            (f"anthropic-ratelimit-{bucket}-limit", str(limit)),
            (f"anthropic-ratelimit-{bucket}-remaining", str(remaining)),
            (f"anthropic-ratelimit-{bucket}-reset", reset),
        ]
    return out


def _encoded(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(status: int, payload: dict | bytes, request_id: str, extra: list[tuple[str, str]] = (),
                   *, cut: bool = False) -> SimResponse:
    data = payload if isinstance(payload, bytes) else _encoded(payload)
    headers = [
        ("content-type", "application/json"),
        ("content-length", str(len(data))),
        ("request-id", request_id),
        *extra,
    ]
    return SimResponse(status, headers, _cut_json(data) if cut else _once(data))


def error_response(status: int, error_type: str, message: str, request_id: str,
                   *, retry_after: int | None = None) -> SimResponse:
    """An API-shaped error, with the retry hints the API attaches to retryable statuses."""
    extra: list[tuple[str, str]] = []
    if status in (429, 529) and retry_after is not None:
        extra.append(("retry-after", str(retry_after)))
    if status == 429:
        extra += _ratelimit_headers(exhausted=True, retry_after=retry_after or 0)
    if status in _RETRYABLE:
        extra.append(("x-should-retry", "true"))
    return _json_response(status, error_body(error_type, message, request_id), request_id, extra)


def _seed(body: dict, controls: Controls) -> str:
    canonical = {k: v for k, v in body.items() if k != "stream"}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{text}|{controls.content_key()}".encode()).hexdigest()


def _fault_index(events: list[tuple[str, dict]], after: int | None) -> int:
    """Where a mid-stream fault strikes: after `after` deltas (default: half of them)."""
    deltas = [i for i, (name, _) in enumerate(events) if name == "content_block_delta"]
    if not deltas:
        return 1
    count = max(1, len(deltas) // 2) if after is None else after
    if count <= 0:
        return 1
    return deltas[min(count, len(deltas)) - 1] + 1


class _Gauge:
    """How many simulated streams are generating right now (tests and benchmarks read it)."""

    active = 0


streams = _Gauge()


async def _sse_body(events: list[tuple[str, dict]], controls: Controls, fault: str | None) -> AsyncIterator[bytes]:
    streams.active += 1
    try:
        delay = controls.delay_ms / 1000
        strike = _fault_index(events, controls.fault_after) if fault else -1
        unyielded = 0
        for i, (name, data) in enumerate(events):
            if i and delay:
                await asyncio.sleep(delay)
            elif unyielded >= _YIELD_EVERY:
                await asyncio.sleep(0)
                unyielded = 0
            if i == strike:
                if fault == "error_mid_stream":
                    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
                    yield encode_event("error", overloaded)
                    return
                if fault == "cut_mid_stream":
                    raise SimulatedCut("cut_mid_stream")
                if fault == "stall":
                    await asyncio.sleep(controls.stall_ms / 1000)
            chunk = encode_event(name, data)
            unyielded += len(chunk)
            yield chunk
    finally:
        streams.active -= 1


def _betas(headers: Mapping[str, str]) -> tuple[str, ...]:
    raw = headers.get("anthropic-beta", "")
    return tuple(b.strip() for b in raw.split(",") if b.strip())


def _check_body(raw: bytes, endpoint: str, headers: Mapping[str, str], request_id: str
                ) -> tuple[dict | None, SimResponse | None]:
    """The parsed body, or the error response the API would give for it."""
    body, findings = validate.parse_body(raw)
    answer = validate.api_error(findings, request_id)
    if answer is None:
        findings = validate.validate_request(body, endpoint=endpoint, betas=_betas(headers))
        answer = validate.api_error(findings, request_id)
    if answer is not None:
        status, payload = answer
        return None, _json_response(status, payload, request_id)
    model = body.get("model") if isinstance(body, dict) else None
    if not catalogue.is_sim(model):
        return None, error_response(404, "not_found_error", f"model: {model}", request_id)
    tampered = tampered_block(body)
    if tampered:
        return None, error_response(
            400, "invalid_request_error", f"{tampered}: Invalid `signature` in `thinking` block", request_id
        )
    return body, None


def _plan(raw: bytes, headers: Mapping[str, str], controls: Controls, request_id: str
          ) -> tuple[dict, dict, list[tuple[str, dict]] | bytes] | SimResponse:
    """(body, message, its events or its JSON) for a create request, or its error response.

    Runs on the simulator's threads: everything proportional to the request or the answer."""
    body, failure = _check_body(raw, "messages", headers, request_id)
    if failure is not None:
        return failure
    message = plan_message(body, seed=_seed(body, controls), controls=controls)
    answer = message_to_events(message) if body.get("stream") is True else _encoded(message)
    return body, message, answer


async def _messages(raw: bytes, headers: Mapping[str, str], controls: Controls, fault: str | None,
                    request_id: str) -> SimResponse:
    planned = await _off_loop(_plan, raw, headers, controls, request_id)
    if isinstance(planned, SimResponse):
        return planned
    body, message, answer = planned
    limits = _ratelimit_headers(message["usage"]["input_tokens"], int(body.get("max_tokens") or 0))
    if isinstance(answer, list):
        headers_out = [
            ("content-type", "text/event-stream; charset=utf-8"),
            ("cache-control", "no-cache"),
            ("request-id", request_id),
            *limits,
        ]
        unpaced = controls.delay_ms == 0 and fault != "stall"
        return SimResponse(200, headers_out, _sse_body(answer, controls, fault), coalesce=unpaced)
    if fault == "error_mid_stream":
        return error_response(529, "overloaded_error", "Overloaded", request_id, retry_after=controls.retry_after)
    if fault == "stall":
        await asyncio.sleep(controls.stall_ms / 1000)
    return _json_response(200, answer, request_id, limits, cut=fault == "cut_mid_stream")


def _count(raw: bytes, headers: Mapping[str, str], request_id: str) -> tuple[dict, int] | SimResponse:
    body, failure = _check_body(raw, "count_tokens", headers, request_id)
    if failure is not None:
        return failure
    return body, tokens.input_tokens(body)


async def _count_tokens(raw: bytes, headers: Mapping[str, str], controls: Controls, fault: str | None,
                        request_id: str) -> SimResponse:
    counted = await _off_loop(_count, raw, headers, request_id)
    if isinstance(counted, SimResponse):
        return counted
    body, input_tokens = counted
    if fault == "error_mid_stream":
        return error_response(529, "overloaded_error", "Overloaded", request_id, retry_after=controls.retry_after)
    if fault == "stall":
        await asyncio.sleep(controls.stall_ms / 1000)
    return _json_response(200, {"input_tokens": input_tokens}, request_id,
                          cut=fault == "cut_mid_stream")


def _models_page(query: str, request_id: str) -> SimResponse:
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    limit_raw = params.get("limit", "20")
    try:
        limit = int(limit_raw)
    except ValueError:
        return error_response(400, "invalid_request_error", "limit: Input should be a valid integer", request_id)
    if not 1 <= limit <= 1000:
        bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 1000"
        return error_response(400, "invalid_request_error", f"limit: Input should be {bound}", request_id)
    models = catalogue.model_infos()
    ids = [m["id"] for m in models]
    start, end = 0, len(models)
    if params.get("after_id") in ids:
        start = ids.index(params["after_id"]) + 1
    if params.get("before_id") in ids:
        end = ids.index(params["before_id"])
        start = max(start, end - limit) if "after_id" not in params else start
    page = models[start:end][:limit]
    has_more = (start + len(page) < end) if "before_id" not in params else start > 0
    payload = {
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": has_more,
    }
    return _json_response(200, payload, request_id)


async def handle(method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> SimResponse:
    """Answer one request; never raises for bad input (it becomes an API error response)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    request_id = new_request_id()
    try:
        controls = parse_controls(lowered)
    except ControlError as exc:
        return error_response(400, "invalid_request_error", str(exc), request_id)
    path = path.rstrip("/") or "/"
    method = method.upper()
    routes = {
        "/v1/messages": "POST",
        "/v1/messages/count_tokens": "POST",
        "/v1/models": "GET",
    }
    expected = routes.get(path, "GET" if path.startswith("/v1/models/") else None)
    if expected is None:
        return error_response(404, "not_found_error", "Not Found", request_id)
    if method != expected:
        return error_response(405, "invalid_request_error", f"Method Not Allowed: {method} {path}", request_id)
    fault = fault_for(controls, lowered)
    if fault in STATUS_FAULTS:
        status, error_type, message = _FAULT_ERRORS[fault]
        return error_response(status, error_type, message, request_id, retry_after=controls.retry_after)
    if path == "/v1/messages":
        return await _messages(body, lowered, controls, fault, request_id)
    if path == "/v1/messages/count_tokens":
        return await _count_tokens(body, lowered, controls, fault, request_id)
    if fault == "error_mid_stream":
        return error_response(529, "overloaded_error", "Overloaded", request_id, retry_after=controls.retry_after)
    if fault == "stall":
        await asyncio.sleep(controls.stall_ms / 1000)
    if path == "/v1/models":
        answer = _models_page(query, request_id)
    else:
        model_id = path.removeprefix("/v1/models/")
        info = catalogue.model_info(model_id)
        if info is None:
            return error_response(404, "not_found_error", f"model: {model_id}", request_id)
        answer = _json_response(200, info, request_id)
    if fault == "cut_mid_stream" and answer.status == 200:
        data = b"".join([chunk async for chunk in answer.body])
        answer = SimResponse(answer.status, answer.headers, _cut_json(data))
    return answer
