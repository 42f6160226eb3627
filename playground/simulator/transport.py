"""`SimulatorTransport`: the simulator in-process, behind any `httpx.AsyncClient`.

    client = httpx.AsyncClient(transport=SimulatorTransport(), base_url="http://simulator")

Policy: no socket and no port; the response streams live (one chunk per engine chunk, paced
by `x-sim-delay-ms`), so the built-in `sim*` provider behaves like a network one. Closing the
response closes the engine's body iterator, which stops generation. The client's read
timeout is honoured the way a socket would honour it (a `stall` longer than it raises
`httpx.ReadTimeout`), and `cut_mid_stream` raises `httpx.RemoteProtocolError` with the
message httpx gives for a real dropped connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx

from playground.contract.errors import new_request_id
from playground.simulator.engine import SimulatedCut, error_response, handle

log = logging.getLogger(__name__)


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if isinstance(value, int | float) else None


class _SimStream(httpx.AsyncByteStream):
    def __init__(self, body: AsyncIterator[bytes], request: httpx.Request, read_timeout: float | None) -> None:
        self._body = body
        self._request = request
        self._read_timeout = read_timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        iterator = self._body.__aiter__()
        while True:
            try:
                if self._read_timeout is None:
                    chunk = await iterator.__anext__()
                else:
                    async with asyncio.timeout(self._read_timeout):
                        chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except SimulatedCut:
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body", request=self._request
                ) from None
            except TimeoutError:
                raise httpx.ReadTimeout("simulator sent no bytes within the read timeout", request=self._request) from None
            yield chunk

    async def aclose(self) -> None:
        await self._body.aclose()


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Answers every request with the simulator engine, streaming."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        read_timeout = _read_timeout(request)
        query = request.url.query.decode("latin-1") if isinstance(request.url.query, bytes) else str(request.url.query)
        try:
            async with asyncio.timeout(read_timeout):
                response = await handle(request.method, request.url.path, query, dict(request.headers), body)
        except TimeoutError:
            raise httpx.ReadTimeout("simulator sent no response within the read timeout", request=request) from None
        except Exception:  # a simulator bug still answers in the API's shape, like the server would
            log.exception("simulator failed on %s %s", request.method, request.url.path)
            response = error_response(500, "api_error", "Internal server error", new_request_id())
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=_SimStream(response.body, request, read_timeout),
            extensions={"http_version": b"HTTP/1.1"},
        )
