"""The one outbound HTTP client: every call to a provider or to the simulator goes here.

    async with upstream.open(provider, "POST", "/v1/messages", headers=..., body=raw) as resp:
        resp.status, resp.headers, resp.request_id
        async for ev in resp.events():     # StreamedEvent(raw, t, sse), bytes exactly as received
            ...

Policy:

* httpx for everything: one `httpx.AsyncClient` per provider and per event loop (a server
  has one loop; tests make many, and a client must never cross loops). The built-in
  simulator is the same client with the in-process `SimulatorTransport` (no socket).
  `aclose()` closes the current loop's clients.
* Network providers connect through `CheckedBackend`, httpcore's network-backend extension
  point: unless the provider allows private networks, the host httpx asks for is resolved
  by `urlguard.resolve_checked`, which refuses it when any address is loopback, private or
  link-local, and the connection goes to exactly the address it checked (no DNS rebinding
  between check and connect). TLS still runs against the host name (SNI and the
  certificate check). Because the check runs on the host httpx itself parsed, the guard and
  the client cannot disagree about which host is meant.
* TLS roots: certifi's, or the provider's own CA bundle (`ca_bundle`: a local model server
  behind a private CA). Environment proxies (`HTTPS_PROXY`, `NO_PROXY`) are ignored unless
  the provider opts in (`use_env_proxy`): a provider key must never go to a proxy the
  operator did not name. Through a proxy, the proxy connects; the base URL is still checked.
* Redirects are never followed: a 3xx comes back as is. No cookies are kept, and bodies
  are asked for uncompressed (`accept-encoding: identity`), so the bytes relayed and recorded
  are the bytes the provider produced; a body compressed anyway is decoded here (its
  `content-encoding` is not relayed), so neither the caller nor the recorder gets bytes it
  cannot read. No retries here; the SDKs retry, and the proxy must not
  double their attempts.
* Headers: hop-by-hop, framing, cookies and the caller's credentials are dropped, and so is
  any header that cannot go on the wire as it is; the provider's key is added as `x-api-key`
  or `Authorization: Bearer` (in `passthrough` mode the caller's own key is forwarded
  instead); `anthropic-version` defaults to the provider's; `anthropic-beta` values of the
  caller and the provider are merged; the provider's extra headers win over the caller's.
* Timeouts (`httpx.Timeout` for connect, write and the connection pool; `asyncio.timeout`
  for the rest): connect (TCP+TLS), first byte (until the response headers) and idle
  (between two body chunks, counting only the time spent waiting for the upstream). No
  total deadline: a healthy stream may run for many minutes. Each raises `UpstreamTimeout`.
* Failures are typed: `UpstreamRefused` (the guard; nothing was sent), `UpstreamTimeout`,
  `UpstreamUnavailable` (could not connect, or a non-stream body was cut). A stream cut
  mid-way ends the iteration instead, with `resp.transport_error` set. An event over
  MAX_EVENT_BYTES raises `EventTooLarge` (memory stays bounded whatever the upstream sends).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import logging
import re
import ssl
import time
import urllib.request
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx

from playground.contract.errors import error_body, error_type_for_status
from playground.contract.sse import EventCutter, SSEEvent, SSEParser
from playground.providers.config import ProviderConfig
from playground.providers.urlguard import URLRefused, check_base_url, resolve_checked
from playground.simulator.transport import SimulatorTransport

log = logging.getLogger("playground.upstream")

USER_AGENT = "messages-playground/0.1"
WRITE_TIMEOUT = 60.0
MAX_BODY_BYTES = 64 * 1024 * 1024  # a non-streaming body; the API caps requests at 32 MB
# One SSE event (a web search result block is the largest seen, well under 1 MB): a stream
# that never ends its event is stopped instead of filling memory.
MAX_EVENT_BYTES = 32 * 1024 * 1024
# Every concurrent stream holds a connection for minutes: a small pool would make stream
# N+1 wait and fail (the SDK's own limit is 1000 connections). An idle connection is kept
# for less than the 5 s after which uvicorn and Node.js servers close one themselves.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=1000, keepalive_expiry=4.0)
# Never forwarded: hop-by-hop, framing (the client sets its own), cookies and encodings.
_DROP_HEADERS = frozenset(
    {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive",
        "proxy-authorization", "proxy-connection", "proxy-authenticate", "te", "trailer",
        "upgrade", "cookie", "accept-encoding", "expect", "x-playground-key",
    }
)
_AUTH_HEADERS = frozenset({"x-api-key", "authorization"})
# RFC 9110 token characters for a header name; a value may hold neither CR, LF nor NUL.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")


class UpstreamError(Exception):
    """Base of the upstream failures; `error_type` and `status` are the API's."""

    error_type = "api_error"
    status = 502


class UpstreamRefused(UpstreamError):
    """The URL guard refused the provider's address; nothing left the server."""

    error_type = "invalid_request_error"
    status = 400


class UpstreamTimeout(UpstreamError):
    """`phase` is "connect", "first_byte" or "idle"."""

    error_type = "timeout_error"
    status = 504

    def __init__(self, message: str, phase: str) -> None:
        super().__init__(message)
        self.phase = phase


class UpstreamUnavailable(UpstreamError):
    """Could not connect, or a non-stream body was cut."""


class EventTooLarge(UpstreamError):
    """The upstream sent more than MAX_EVENT_BYTES without ending an event."""


@dataclass(slots=True)
class StreamedEvent:
    raw: bytes  # the event's bytes exactly as received (comments and padding included)
    t: float  # time.monotonic() when the chunk completing the event arrived
    sse: SSEEvent


# -- connecting -----------------------------------------------------------------------------


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the URL guard checked.

    httpcore starts TLS on the stream returned here with the request's host name, so SNI
    and the certificate check are those of the name, not of the address."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ASYNC109 (httpcore's signature)
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve_checked(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"{host} did not resolve in time") from None
        except OSError as exc:  # the resolver's own failure (no such name)
            raise httpcore.ConnectError(f"{host} did not resolve ({exc.__class__.__name__})") from None
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address, checked_port in addresses:
            try:
                return await self._backend.connect_tcp(
                    address, checked_port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next address, as a resolver's caller would
        raise failure

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # noqa: ASYNC109 (httpcore's signature)
        raise httpcore.ConnectError("providers are reached over TCP")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class KeepAlivePool:
    """Keep-alive connections to one provider, in place of httpcore's connection pool: an
    idle connection is taken from a stack (the most recently used first), a new one made
    when none is idle, at most LIMITS.max_connections at once.

    Why not httpcore's own pool: it rescans every connection whenever a request starts or
    ends, so with many concurrent streams (each holds its connection for minutes) its CPU
    per call grows with their number: measured by `bench/bench_proxy.py`, it put the
    proxy's added time to first byte at 100 streams far past the target (see the bench
    report). The connections themselves are httpcore's (`AsyncHTTPConnection`), and httpx's
    transport still maps their errors."""

    def __init__(self, ssl_context: ssl.SSLContext, network_backend: httpcore.AsyncNetworkBackend | None) -> None:
        self._ssl_context = ssl_context
        self._backend = network_backend or httpcore.AnyIOBackend()
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._slots = asyncio.Semaphore(LIMITS.max_connections)

    def _idle_connection(self, origin: httpcore.Origin) -> httpcore.AsyncHTTPConnection | None:
        while self._idle:
            connection = self._idle.pop()
            # Expired: idle too long, or its server closed it (we never write into that).
            if connection.can_handle_request(origin) and connection.is_idle() and not connection.has_expired():
                return connection
            self._close_soon(connection)
        return None

    def _close_soon(self, connection: httpcore.AsyncHTTPConnection) -> None:
        task = asyncio.get_running_loop().create_task(connection.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        try:
            async with asyncio.timeout(request.extensions.get("timeout", {}).get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpcore.PoolTimeout("no free connection in time") from None
        connection = None
        try:
            connection = self._idle_connection(request.url.origin) or httpcore.AsyncHTTPConnection(
                origin=request.url.origin, ssl_context=self._ssl_context,
                keepalive_expiry=LIMITS.keepalive_expiry, network_backend=self._backend,
            )
            response = await connection.handle_async_request(request)
        except BaseException:
            self._slots.release()
            if connection is not None:
                self._close_soon(connection)
            raise
        return httpcore.Response(
            status=response.status, headers=response.headers,
            content=_Released(response.stream, self, connection), extensions=response.extensions,
        )

    def release(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._slots.release()
        if connection.is_idle():  # read to the end: reusable
            self._idle.append(connection)
        elif not connection.is_closed():
            self._close_soon(connection)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.aclose()


# Connections being closed in the background (a task must be referenced until it ends).
_closing: set[asyncio.Task] = set()


class _Released:
    """A response body that hands its connection back to the pool when closed."""

    def __init__(self, stream, pool: KeepAlivePool, connection: httpcore.AsyncHTTPConnection) -> None:
        self._stream = stream
        self._pool = pool
        self._connection = connection
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._stream.aclose()  # an unread body closes the connection: the upstream stops
        finally:
            self._pool.release(self._connection)


class PooledTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over `KeepAlivePool`, with `CheckedBackend` unless the provider
    allows private networks."""

    def __init__(self, ssl_context: ssl.SSLContext, checked: bool) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=LIMITS)
        # httpx takes no network backend or pool itself; the pool it drives is replaced
        # (httpx is pinned to the minor version this was written against).
        self._pool = KeepAlivePool(ssl_context, CheckedBackend() if checked else None)


def ssl_context(provider: ProviderConfig) -> ssl.SSLContext:
    """Certifi's roots, or the provider's own CA bundle (a file of PEM certificates)."""
    return ssl.create_default_context(cafile=provider.ca_bundle or certifi.where())


def env_proxy(url: str) -> str | None:
    """The environment's proxy for this URL (`HTTPS_PROXY`, `NO_PROXY`, ...), if any."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return urllib.request.getproxies().get(parts.scheme.lower())


def _transport(provider: ProviderConfig) -> httpx.AsyncBaseTransport:
    if provider.simulator:
        return SimulatorTransport()
    context = ssl_context(provider)
    proxy = env_proxy(provider.base_url) if provider.use_env_proxy else None
    if proxy is not None:
        return httpx.AsyncHTTPTransport(verify=context, trust_env=False, limits=LIMITS, proxy=proxy)
    return PooledTransport(context, checked=not provider.allow_private_network)


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps nothing: one client serves every caller of a provider, so a cookie
    the upstream sets must never go out with the next caller's request."""
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def _client(provider: ProviderConfig) -> httpx.AsyncClient:
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    key = (
        provider.name, provider.base_url, provider.allow_private_network, provider.simulator,
        provider.ca_bundle, provider.use_env_proxy,
    )
    client = per_loop.get(key)
    if client is None or client.is_closed:
        client = per_loop[key] = httpx.AsyncClient(
            transport=_transport(provider), trust_env=False, follow_redirects=False, cookies=_no_cookies(),
        )
    return client


async def aclose() -> None:
    """Close every pooled client of the running event loop (shutdown, test teardown)."""
    per_loop = _clients.pop(asyncio.get_running_loop(), {})
    for client in per_loop.values():
        await client.aclose()


# -- headers --------------------------------------------------------------------------------


def sendable(name: str, value: str) -> bool:
    """Whether a header can go on the wire as it is: a token for a name, a latin-1 value
    without CR, LF or NUL (anything else could split the request)."""
    if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
        return False
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


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
        if lname in _DROP_HEADERS or not sendable(lname, value):
            continue
        if lname in _AUTH_HEADERS and not provider.passthrough:
            continue
        if lname == "anthropic-beta":
            betas.append(value)
            continue
        out[lname] = value
    for name, value in provider.extra_headers:
        lname = name.lower()
        if not sendable(lname, value):
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


def api_error_shaped(parsed: object) -> bool:
    """Whether a parsed body is an error in the API's shape ({"type": "error", "error": {"type"}})."""
    return (
        isinstance(parsed, dict)
        and parsed.get("type") == "error"
        and isinstance(parsed.get("error"), dict)
        and isinstance(parsed["error"].get("type"), str)
    )


def error_for_status(status: int, body: bytes, request_id: str | None = None) -> dict:
    """The upstream's own error body when it has the API's shape, else one built for it."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if api_error_shaped(parsed):
        return parsed
    snippet = body[:200].decode("utf-8", errors="replace").strip()
    message = f"The upstream answered HTTP {status}" + (f": {snippet}" if snippet else ".")
    return error_body(error_type_for_status(status), message, request_id)


# -- the response ---------------------------------------------------------------------------


class UpstreamResponse:
    """The upstream's answer: status and headers at once, the body as it arrives."""

    def __init__(self, provider: ProviderConfig, response: httpx.Response) -> None:
        self.provider = provider
        self.status: int = response.status_code
        # Order and repeats kept, as received.
        self.headers: list[tuple[str, str]] = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
        ]
        self.request_id: str | None = next(
            (v for k, v in self.headers if k.lower() in ("request-id", "x-request-id") and v), None
        )
        self._response = response
        # Set when the connection broke mid-body; the iteration then simply ends.
        self.transport_error: BaseException | None = None

    def _chunks(self) -> AsyncIterator[bytes]:
        encoding = self._response.headers.get("content-encoding", "identity").strip().lower()
        return self._response.aiter_raw() if encoding in ("", "identity") else self._response.aiter_bytes()

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive. The idle timeout counts only the time spent
        waiting for the upstream: the caller's own time between chunks (a slow client)
        does not."""
        idle = self.provider.idle_timeout
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(idle) as deadline:
                async for chunk in self._chunks():
                    deadline.reschedule(None)
                    yield chunk
                    deadline.reschedule(loop.time() + idle)
        except TimeoutError:
            raise UpstreamTimeout(f"provider {self.provider.name}: no bytes for {idle:g} s", "idle") from None
        except httpx.TransportError as exc:
            log.info("upstream %s cut the body: %s", self.provider.name, type(exc).__name__)
            self.transport_error = exc

    async def pieces(self) -> AsyncIterator[tuple[bytes, bytes, float]]:
        """(whole events ready to forward, the chunk as read, arrival time) per chunk read,
        without parsing the stream; EventTooLarge past MAX_EVENT_BYTES without an event end."""
        cutter = EventCutter()
        unfinished = 0  # bytes received since the last complete event
        async for chunk in self.aiter_raw():
            t = time.monotonic()
            piece = cutter.feed(chunk)
            unfinished = 0 if piece else unfinished + len(chunk)
            if unfinished > MAX_EVENT_BYTES:
                raise self._too_large()
            yield piece, chunk, t
        if self.transport_error is None:
            # A clean end: a trailing comment-only run may remain. An unfinished event is
            # dropped: a client would glue it to whatever follows.
            rest = cutter.finish()
            if rest:
                yield rest, b"", time.monotonic()

    async def events(self) -> AsyncIterator[StreamedEvent]:
        """Parsed SSE events with their raw bytes and arrival time; a cut or a timeout
        still delivers the unterminated last event before ending or raising."""
        parser = SSEParser()
        unfinished = 0
        try:
            async for chunk in self.aiter_raw():
                t = time.monotonic()
                events = parser.feed(chunk)
                unfinished = 0 if events else unfinished + len(chunk)
                for ev in events:
                    yield StreamedEvent(ev.raw, t, ev)
                if unfinished > MAX_EVENT_BYTES:
                    raise self._too_large()
        except (UpstreamTimeout, EventTooLarge):
            t = time.monotonic()
            for ev in parser.close():
                yield StreamedEvent(ev.raw, t, ev)
            raise
        t = time.monotonic()
        for ev in parser.close():
            yield StreamedEvent(ev.raw, t, ev)

    def _too_large(self) -> EventTooLarge:
        return EventTooLarge(f"provider {self.provider.name}: an event over {MAX_EVENT_BYTES} bytes")

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


@asynccontextmanager
async def open(
    provider: ProviderConfig,
    method: str,
    path: str,
    *,
    query: str = "",
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    body: bytes = b"",
    on_sent: Callable[[], None] | None = None,
) -> AsyncIterator[UpstreamResponse]:
    """`async with open(...) as response`: send one request, yield the response once its
    headers arrived, close it on exit (an unread body hangs up, so the upstream stops too).
    A provider the URL guard refuses raises UpstreamRefused at once (nothing is sent).

    `on_sent` runs at the loop's next turn, once the request is on its way, so work that
    must happen per call but not before the request (the proxy starts its recording there)
    overlaps the upstream's. It runs as a loop callback, so it must not raise."""
    name = provider.name
    try:
        if not provider.simulator:
            check_base_url(provider.base_url, allow_private=provider.allow_private_network)
        client = _client(provider)
        request = client.build_request(
            method, _url(provider, path, query), headers=request_headers(provider, headers, body),
            content=body or None,
            timeout=httpx.Timeout(
                connect=provider.connect_timeout, read=None, write=WRITE_TIMEOUT, pool=provider.connect_timeout
            ),
        )
    except (URLRefused, httpx.InvalidURL) as exc:
        raise UpstreamRefused(f"provider {name}: {exc}") from None
    if on_sent is not None:
        asyncio.get_running_loop().call_soon(on_sent)
    try:
        async with asyncio.timeout(provider.first_byte_timeout):
            response = await client.send(request, stream=True)
    except URLRefused as exc:  # the connect-time check (CheckedBackend)
        raise UpstreamRefused(f"provider {name}: {exc}") from None
    except (httpx.ConnectTimeout, httpx.PoolTimeout):
        raise UpstreamTimeout(f"provider {name}: no connection within {provider.connect_timeout:g} s", "connect") from None
    except (TimeoutError, httpx.TimeoutException):
        raise UpstreamTimeout(f"provider {name}: no answer within {provider.first_byte_timeout:g} s", "first_byte") from None
    except httpx.TransportError as exc:
        # The type only: client messages can carry URLs.
        raise UpstreamUnavailable(f"provider {name}: could not connect ({type(exc).__name__})") from None
    try:
        yield UpstreamResponse(provider, response)
    finally:
        await response.aclose()
