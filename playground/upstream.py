"""The one outbound HTTP client: every call to a provider or to the simulator goes here.

    async with upstream.open(provider, "POST", "/v1/messages", headers=..., body=raw) as resp:
        resp.status, resp.headers, resp.request_id
        async for ev in resp.events():     # StreamedEvent(raw, t, sse), bytes exactly as received
            ...

Policy:

* One pooled client per provider and per event loop (a daphne server has one loop; tests
  make many, and a client must never cross loops). `aclose()` closes the current loop's
  clients. Network providers go through `playground.http1`, a lean HTTP/1.1 client: every
  proxied call pays the client's cost before its first byte, mostly with cold CPU caches
  (it costs half of aiohttp's CPU and a seventh of httpx's, `bench/bench_upstream.py`).
  The built-in simulator is reached through httpx and the in-process `SimulatorTransport`:
  no socket.
* Environment proxies are never used (http1 has no proxy support; the simulator's httpx
  client has `trust_env=False`): a provider key must never go to a proxy the operator did
  not name. Redirects are never followed: a 3xx comes back as is.
  No cookies are kept, and bodies are not decoded (`accept-encoding: identity` anyway).
  No retries here; the SDKs retry, and the proxy must not double their attempts.
* Headers: hop-by-hop, framing, cookies and the caller's credentials are dropped; the
  provider's key is added as `x-api-key` or `Authorization: Bearer` (in `passthrough` mode
  the caller's own key is forwarded instead and the stored one is not sent);
  `anthropic-version` defaults to the provider's (2023-06-01); `anthropic-beta` values of
  the caller and the provider are merged; the provider's extra headers win over the
  caller's. `accept-encoding: identity`, so the bytes relayed and recorded are the bytes
  the provider produced.
* Timeouts: connect (TCP+TLS), first byte (until the response headers) and idle (between
  two body chunks). No total deadline: a healthy stream may run for many minutes. Any of
  them raises `UpstreamTimeout` (a TimeoutError), which callers record as outcome `timeout`.
* The URL guard (playground.providers.urlguard) runs on every send, and, unless the
  provider allows private networks, names are resolved by `resolve_checked`, which refuses
  a host when any address is loopback/private/link-local; the client connects to the
  addresses it checked (no DNS rebinding between check and connect).
* Failures are typed: `UpstreamRefused` (the guard; nothing was sent), `UpstreamTimeout`,
  `UpstreamUnavailable` (a ConnectionError: could not connect, or the body was cut while
  reading a non-stream body). A stream cut mid-way ends the iteration instead, with
  `resp.transport_error` set, so the accumulator reports what arrived as `incomplete`.
  `error_for_exception` and `UpstreamResponse.api_error` put each in the API's error shape.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx

from playground import http1
from playground.contract.errors import error_body
from playground.contract.sse import SSEEvent, SSEParser
from playground.providers.config import ProviderConfig
from playground.providers.urlguard import URLRefused, check_base_url, resolve_checked

log = logging.getLogger("playground.upstream")

USER_AGENT = "messages-playground/0.1"
WRITE_TIMEOUT = 60.0
MAX_BODY_BYTES = 64 * 1024 * 1024  # a non-streaming body; the API caps requests at 32 MB
# One SSE event (a web search result block is the largest seen, well under 1 MB): a stream
# that never ends its event is stopped instead of filling memory.
MAX_EVENT_BYTES = 32 * 1024 * 1024
# Never forwarded: hop-by-hop, framing (the client sets its own), cookies and encodings.
_DROP_HEADERS = frozenset(
    {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive",
        "proxy-authorization", "proxy-connection", "proxy-authenticate", "te", "trailer",
        "upgrade", "cookie", "accept-encoding", "expect", "x-playground-key",
    }
)
_AUTH_HEADERS = frozenset({"x-api-key", "authorization"})
_STATUS_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class UpstreamError(Exception):
    """Base of the upstream failures; `error_type` and `status` are the API's."""

    error_type = "api_error"
    status = 502


class UpstreamRefused(UpstreamError, URLRefused):
    """The URL guard refused the provider's address; nothing left the server."""

    error_type = "invalid_request_error"
    status = 400


class UpstreamTimeout(UpstreamError, TimeoutError):
    """`phase` is "connect", "first_byte" or "idle"."""

    error_type = "timeout_error"
    status = 504

    def __init__(self, message: str, phase: str) -> None:
        super().__init__(message)
        self.phase = phase


class UpstreamUnavailable(UpstreamError, ConnectionError):
    """Could not connect, or a non-stream body was cut."""


@dataclass(slots=True)
class StreamedEvent:
    raw: bytes  # the event's bytes exactly as received (comments and padding included)
    t: float  # time.monotonic() when the chunk completing the event arrived
    sse: SSEEvent


# -- the client pool ------------------------------------------------------------------------

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, object]] = (
    weakref.WeakKeyDictionary()
)
# Every concurrent stream holds a connection for minutes: a small pool would make stream
# N+1 wait and fail (the SDK's own limit is 1000 connections).
MAX_CONNECTIONS = 1000


def _new_client(provider: ProviderConfig) -> httpx.AsyncClient | http1.Pool:
    if provider.simulator:
        from playground.simulator.transport import SimulatorTransport

        return httpx.AsyncClient(transport=SimulatorTransport(), trust_env=False, follow_redirects=False)
    return http1.Pool(
        resolve=None if provider.allow_private_network else resolve_checked, limit=MAX_CONNECTIONS
    )


def _client(provider: ProviderConfig):
    loop = asyncio.get_running_loop()
    per_loop = _clients.get(loop)
    if per_loop is None:
        _drop_clients(lambda other: other.is_closed())
        per_loop = _clients[loop] = {}
    key = (provider.name, provider.base_url, provider.allow_private_network, provider.simulator)
    client = per_loop.get(key)
    if client is None or (client.is_closed if isinstance(client, httpx.AsyncClient) else client.closed):
        client = per_loop[key] = _new_client(provider)
    return client


def _drop_clients(which) -> None:
    """Forget the clients of loops that can no longer run them (a loop that closed without
    `aclose()`, or every loop at exit), quietly: their sockets went with the loop."""
    for loop in [loop for loop in list(_clients) if which(loop)]:
        for client in _clients.pop(loop, {}).values():
            if isinstance(client, http1.Pool):
                client.abandon()


atexit.register(_drop_clients, lambda loop: True)


async def aclose() -> None:
    """Close every pooled client of the running event loop (shutdown, test teardown)."""
    per_loop = _clients.pop(asyncio.get_running_loop(), {})
    for client in per_loop.values():
        await client.aclose()


# -- headers --------------------------------------------------------------------------------


def request_headers(
    provider: ProviderConfig,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
    body: bytes,
) -> list[tuple[str, str]]:
    """The headers sent upstream for a caller's headers (see the module docstring)."""
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    out: dict[str, str] = {}
    betas: list[str] = []
    for name, value in items:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        lname = name.strip().lower()
        if lname in _DROP_HEADERS or not http1.sendable(lname, value):
            continue
        if lname in _AUTH_HEADERS and not provider.passthrough:
            continue
        if lname == "anthropic-beta":
            betas.append(value)
            continue
        out[lname] = value
    for name, value in provider.extra_headers:
        lname = name.lower()
        if not http1.sendable(lname, value):
            continue
        if lname == "anthropic-beta":
            betas.append(value)
        elif lname not in _DROP_HEADERS:
            out[lname] = value
    if not provider.passthrough and provider.api_key:
        if provider.auth_style == "bearer":
            out["authorization"] = f"Bearer {provider.api_key}"
        elif provider.auth_style == "x-api-key":
            out["x-api-key"] = provider.api_key
    out.setdefault("anthropic-version", provider.anthropic_version)
    merged = list(dict.fromkeys(b.strip() for v in betas for b in v.split(",") if b.strip()))
    if merged:
        out["anthropic-beta"] = ",".join(merged)
    if body:
        out.setdefault("content-type", "application/json")
    out.setdefault("user-agent", USER_AGENT)
    out["accept-encoding"] = "identity"
    return list(out.items())


# -- errors in the API's shape --------------------------------------------------------------


def error_for_status(status: int, body: bytes, request_id: str | None = None) -> dict:
    """The upstream's own error body when it has the API's shape, else one built for it."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if (
        isinstance(parsed, dict)
        and parsed.get("type") == "error"
        and isinstance(parsed.get("error"), dict)
        and isinstance(parsed["error"].get("type"), str)
    ):
        return parsed
    snippet = body[:200].decode("utf-8", errors="replace").strip()
    message = f"The upstream answered HTTP {status}" + (f": {snippet}" if snippet else ".")
    return error_body(_STATUS_ERROR_TYPES.get(status, "api_error"), message, request_id)


def error_for_exception(exc: BaseException, request_id: str | None = None) -> tuple[int, dict]:
    """(status, API error body) for a failure raised by `open` or a response read.

    The exception text is only used for our own types: httpx messages may carry URLs.
    """
    if isinstance(exc, UpstreamError):
        return exc.status, error_body(exc.error_type, str(exc), request_id)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return 504, error_body("timeout_error", "The upstream did not answer in time.", request_id)
    return 502, error_body("api_error", f"The upstream could not be reached ({type(exc).__name__}).", request_id)


# -- the response ---------------------------------------------------------------------------


# A connection that breaks mid-body, for either client: the iteration then simply ends.
_CUT_ERRORS = (httpx.TransportError, OSError)


class UpstreamResponse:
    """The upstream's answer: status and headers at once, the body as it arrives."""

    def __init__(
        self,
        provider: ProviderConfig,
        status: int,
        raw_headers: Iterable[tuple[bytes, bytes]],
        chunks: AsyncIterator[bytes],
    ) -> None:
        self.provider = provider
        self.status: int = status
        # Order and repeats kept, as received.
        self.headers: list[tuple[str, str]] = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers
        ]
        self.request_id: str | None = next(
            (v for k, v in self.headers if k.lower() in ("request-id", "x-request-id") and v), None
        )
        self._chunks = chunks
        # Set when the connection broke mid-body; the iteration then simply ends.
        self.transport_error: BaseException | None = None

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive, with the idle timeout between chunks.

        The timeout is one watchdog timer per response, not a timeout scope per chunk:
        that cost 4.5 us per chunk, more than the rest of relaying it. Only the time spent
        waiting for the upstream counts; the caller's own time between chunks (a slow
        client) does not."""
        iterator = self._chunks
        idle = self.provider.idle_timeout
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        cancels_before = task.cancelling()
        silent = f"provider {self.provider.name}: no bytes for {idle:g} s"
        waiting_since: float | None = None
        expired = False

        def watch() -> None:
            nonlocal watchdog, expired
            if waiting_since is not None and loop.time() - waiting_since >= idle:
                expired = True
                task.cancel()
            else:
                start = loop.time() if waiting_since is None else waiting_since
                watchdog = loop.call_at(start + idle, watch)

        watchdog = loop.call_at(loop.time() + idle, watch)
        try:
            while True:
                waiting_since = loop.time()
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    return
                except asyncio.CancelledError:
                    # Ours only if nobody else cancelled too (a client that left in the
                    # same loop turn): that cancel must go on.
                    if not expired or task.uncancel() > cancels_before:
                        raise
                    raise UpstreamTimeout(silent, "idle") from None
                except httpx.TimeoutException:
                    raise UpstreamTimeout(silent, "idle") from None
                except _CUT_ERRORS as exc:
                    # httpx.StreamError (closed or consumed) is not a cut and propagates.
                    log.info("upstream %s cut the body: %s", self.provider.name, type(exc).__name__)
                    self.transport_error = exc
                    return
                waiting_since = None
                if chunk:
                    yield chunk
        finally:
            watchdog.cancel()
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

    async def events(self) -> AsyncIterator[StreamedEvent]:
        """Parsed SSE events with their raw bytes and arrival time; a cut or a timeout
        still delivers the unterminated last event before ending or raising."""
        parser = SSEParser()
        unfinished = 0  # bytes received since the last complete event
        try:
            async for chunk in self.aiter_raw():
                t = time.monotonic()
                events = parser.feed(chunk)
                unfinished = 0 if events else unfinished + len(chunk)
                for ev in events:
                    yield StreamedEvent(ev.raw, t, ev)
                if unfinished > MAX_EVENT_BYTES:
                    raise UpstreamUnavailable(
                        f"provider {self.provider.name}: an event over {MAX_EVENT_BYTES} bytes"
                    )
        except (UpstreamTimeout, UpstreamUnavailable):
            t = time.monotonic()
            for ev in parser.close():
                yield StreamedEvent(ev.raw, t, ev)
            raise
        t = time.monotonic()
        for ev in parser.close():
            yield StreamedEvent(ev.raw, t, ev)

    async def aread(self) -> bytes:
        """The whole body (non-streaming answers); a cut body raises UpstreamUnavailable."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self.aiter_raw():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise UpstreamUnavailable(f"provider {self.provider.name}: response body over {MAX_BODY_BYTES} bytes")
            parts.append(chunk)
        if self.transport_error is not None:
            raise UpstreamUnavailable(f"provider {self.provider.name}: the connection closed mid-body")
        return b"".join(parts)

    async def api_error(self) -> dict | None:
        """For a 4xx/5xx: the error body in the API's shape (reads the body). Else None."""
        if self.status < 400:
            return None
        return error_for_status(self.status, await self.aread(), self.request_id)


# -- open -----------------------------------------------------------------------------------


def _url(provider: ProviderConfig, path: str, query: str) -> str:
    if not path.startswith("/"):
        path = "/" + path
    url = provider.base_url.rstrip("/") + path
    return f"{url}?{query.lstrip('?')}" if query else url


def open(
    provider: ProviderConfig,
    method: str,
    path: str,
    *,
    query: str = "",
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    body: bytes = b"",
    on_sent: Callable[[], None] | None = None,
) -> AbstractAsyncContextManager[UpstreamResponse]:
    """`async with open(...) as response`: send one request, yield the response once its
    headers arrived, close it on exit. A provider the URL guard refuses raises
    UpstreamRefused at once (nothing is sent).

    `on_sent` runs once the request is on its way, while the upstream works on it: work
    that must happen per call but not before the request (the proxy starts its recording
    there). It runs as a loop callback, so it must not raise."""
    if provider.simulator:
        opener = _open_simulator
    else:
        try:
            check_base_url(provider.base_url, allow_private=provider.allow_private_network)
        except URLRefused as exc:
            raise UpstreamRefused(f"provider {provider.name}: {exc}") from None
        opener = _open_network
    sent = request_headers(provider, headers, body)
    # The opener's own context manager, not one wrapped in another: this runs on every
    # proxied call before its first byte.
    return opener(provider, method, _url(provider, path, query), sent, body, on_sent)


def _no_answer(provider: ProviderConfig) -> UpstreamTimeout:
    return UpstreamTimeout(
        f"provider {provider.name}: no answer within {provider.first_byte_timeout:g} s", "first_byte"
    )


def _unreachable(provider: ProviderConfig, exc: BaseException) -> UpstreamUnavailable:
    # The type only: client messages can carry URLs.
    return UpstreamUnavailable(f"provider {provider.name}: could not connect ({type(exc).__name__})")


@asynccontextmanager
async def _open_network(provider, method, url, headers, body, on_sent) -> AsyncIterator[UpstreamResponse]:
    pool: http1.Pool = _client(provider)
    # `on_sent` runs at the loop's next turn: by then this task has written the request (on
    # a pooled connection) and waits for the answer, so the hook overlaps the upstream's work.
    if on_sent is not None:
        asyncio.get_running_loop().call_soon(on_sent)
    try:
        async with asyncio.timeout(provider.first_byte_timeout):
            response = await pool.request(method, url, headers, body, connect_timeout=provider.connect_timeout)
    except http1.ConnectTimeout:
        raise UpstreamTimeout(
            f"provider {provider.name}: no connection within {provider.connect_timeout:g} s", "connect"
        ) from None
    except TimeoutError:
        raise _no_answer(provider) from None
    except URLRefused as exc:  # the connect-time check (resolve_checked)
        raise UpstreamRefused(f"provider {provider.name}: {exc}") from None
    except OSError as exc:
        raise _unreachable(provider, exc) from None
    except ValueError as exc:  # a query string that cannot go on the wire
        raise UpstreamRefused(f"provider {provider.name}: {exc}") from None
    try:
        yield UpstreamResponse(provider, response.status, response.raw_headers, response)
    finally:
        response.release()  # back to the pool if read to the end; else hang up, so the upstream stops too


@asynccontextmanager
async def _open_simulator(provider, method, url, headers, body, on_sent) -> AsyncIterator[UpstreamResponse]:
    client: httpx.AsyncClient = _client(provider)
    if on_sent is not None:
        on_sent()  # in-process: nothing to overlap with
    request = client.build_request(
        method, url, headers=headers, content=body or None,
        timeout=httpx.Timeout(
            connect=provider.connect_timeout, read=None, write=WRITE_TIMEOUT, pool=provider.connect_timeout
        ),
    )
    try:
        async with asyncio.timeout(provider.first_byte_timeout):
            response = await client.send(request, stream=True)
    except (TimeoutError, httpx.TimeoutException):
        raise _no_answer(provider) from None
    except (httpx.TransportError, OSError) as exc:
        raise _unreachable(provider, exc) from None
    try:
        yield UpstreamResponse(
            provider, response.status_code, response.headers.raw, response.aiter_bytes().__aiter__()
        )
    finally:
        await response.aclose()
