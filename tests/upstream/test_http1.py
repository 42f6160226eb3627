"""The lean HTTP/1.1 client against a scripted loopback server: keep-alive reuse and its
limits, bodies framed every way HTTP/1.1 allows, malformed answers, backpressure, the
connection limit, and headers that could split a request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from playground import http1, upstream
from playground.providers.config import ProviderConfig

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class Scripted:
    """A server answering each request with `script`; it closes the connection when the
    script returns False. Counts connections and requests."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def _serve(self, reader, writer) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.requests.append(head + await reader.readexactly(length))
                if not await self.script(reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def url(self, path: str = "/v1/messages") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextlib.asynccontextmanager
async def scripted(script: Script):
    server = Scripted(script)
    srv = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    server.port = srv.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        srv.close()


def answer(raw: bytes, keep: bool = True) -> Script:
    async def script(reader, writer) -> bool:
        writer.write(raw)
        await writer.drain()
        return keep

    return script


OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


async def read_all(response: http1.Response) -> bytes:
    return b"".join([chunk async for chunk in response])


async def test_it_reuses_a_connection_whose_body_was_read_to_the_end():
    async with scripted(answer(OK)) as server:
        pool = http1.Pool()
        for _ in range(3):
            response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
            assert (response.status, await read_all(response)) == (200, b"{}")
            response.release()
        await pool.aclose()
    assert server.connections == 1
    assert len(server.requests) == 3


async def test_it_hangs_up_when_a_body_is_left_unread():
    async with scripted(answer(OK)) as server:
        pool = http1.Pool()
        for _ in range(2):
            response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
            response.release()  # body never read: the connection cannot be trusted
        await pool.aclose()
    assert server.connections == 2


async def test_it_does_not_reuse_a_connection_the_server_closed():
    async with scripted(answer(OK, keep=False)) as server:
        pool = http1.Pool()
        for _ in range(3):
            response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
            assert await read_all(response) == b"{}"
            response.release()
            await asyncio.sleep(0.05)  # the server's close arrives while the connection idles
        await pool.aclose()
    assert server.connections == 3


async def test_it_does_not_reuse_a_connection_idle_longer_than_the_keepalive():
    async with scripted(answer(OK)) as server:
        pool = http1.Pool(keepalive=0.05)
        for _ in range(2):
            response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
            await read_all(response)
            response.release()
            await asyncio.sleep(0.1)
        await pool.aclose()
    assert server.connections == 2


async def test_it_honours_connection_close_in_the_answer():
    raw = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"
    async with scripted(answer(raw)) as server:
        pool = http1.Pool()
        for _ in range(2):
            response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
            await read_all(response)
            response.release()
        await pool.aclose()
    assert server.connections == 2


async def test_it_reads_a_body_without_length_until_the_connection_ends():
    raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it, then close"
    async with scripted(answer(raw, keep=False)) as server:
        pool = http1.Pool()
        response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        assert await read_all(response) == b"all of it, then close"
        assert response.at_eof
        response.release()
        await pool.aclose()


async def test_it_de_chunks_a_chunked_body_and_keeps_the_headers_as_sent():
    raw = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nRequest-Id: req_1\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n5\r\nevent\r\n3\r\n: x\r\n0\r\n\r\n")
    async with scripted(answer(raw)) as server:
        pool = http1.Pool()
        response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        assert response.raw_headers[:2] == [(b"Content-Type", b"text/event-stream"), (b"Request-Id", b"req_1")]
        assert await read_all(response) == b"event: x"
        response.release()
        await pool.aclose()


async def test_it_waits_past_an_informational_answer():
    raw = b"HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n" + OK
    async with scripted(answer(raw)) as server:
        pool = http1.Pool()
        response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        assert response.status == 200
        assert (b"link", b"</x>") not in response.raw_headers
        assert await read_all(response) == b"{}"
        response.release()
        await pool.aclose()


async def test_a_cut_body_raises_connection_closed_after_what_arrived():
    raw = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this"
    async with scripted(answer(raw, keep=False)) as server:
        pool = http1.Pool()
        response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        assert await response.__anext__() == b"only this"
        with pytest.raises(http1.ConnectionClosed):
            await response.__anext__()
        response.release()
        await pool.aclose()


@pytest.mark.parametrize("raw", [b"SMTP ready\r\n\r\n", b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n"])
async def test_an_answer_that_is_not_http_is_a_bad_response(raw):
    async with scripted(answer(raw, keep=False)) as server:
        pool = http1.Pool()
        with pytest.raises(http1.BadResponse):
            await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        await pool.aclose()


async def test_upstream_reports_a_bad_response_as_unavailable():
    async with scripted(answer(b"garbage\r\n\r\n", keep=False)) as server:
        provider = ProviderConfig(name="odd", base_url=f"http://127.0.0.1:{server.port}", allow_private_network=True)
        try:
            with pytest.raises(upstream.UpstreamUnavailable):
                async with upstream.open(provider, "POST", "/v1/messages", body=b"{}"):
                    pass
        finally:
            await upstream.aclose()


async def test_a_slow_reader_pauses_the_upstream(monkeypatch):
    monkeypatch.setattr(http1, "MAX_BUFFER", 64 * 1024)
    piece = b"x" * 16 * 1024

    async def endless(reader, writer) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            for _ in range(2000):  # 32 MB if nobody pushed back
                writer.write(b"4000\r\n" + piece + b"\r\n")
                await writer.drain()
        return False

    async with scripted(endless) as server:
        pool = http1.Pool()
        response = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        await asyncio.sleep(0.5)  # the reader stalls; the server keeps writing
        held = response._buffered  # noqa: SLF001 - the buffer this test is about
        response.release()
        await pool.aclose()
    # The buffer stops near the cap (one socket read past it), not at 32 MB.
    assert 64 * 1024 <= held < 64 * 1024 + 512 * 1024


async def test_it_keeps_to_its_connection_limit():
    release = asyncio.Event()

    async def held(reader, writer) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        await writer.drain()
        await release.wait()
        writer.write(b"{}")
        await writer.drain()
        return True

    async with scripted(held) as server:
        pool = http1.Pool(limit=1)
        first = await pool.request("POST", server.url(), [], b"{}", connect_timeout=2)
        second = asyncio.ensure_future(pool.request("POST", server.url(), [], b"{}", connect_timeout=2))
        await asyncio.sleep(0.1)
        assert not second.done() and len(server.requests) == 1  # waits for a free connection
        release.set()
        await read_all(first)
        first.release()
        response = await asyncio.wait_for(second, 2)
        await read_all(response)
        response.release()
        await pool.aclose()
    assert server.connections == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("x-a", "1\r\nx-injected: 1"), ("x-a", "nul\x00"), ("bad name", "v"), ("x-a:", "v"), ("x-a", "snow ☃")],
)
def test_a_header_that_could_split_the_request_is_never_sent(name, value):
    assert not http1.sendable(name, value)
    with pytest.raises(ValueError):
        http1.request_bytes("POST", "http://127.0.0.1:1/v1/messages", [(name, value)], b"{}")
    provider = ProviderConfig(name="p", base_url="http://127.0.0.1:1", allow_private_network=True,
                              extra_headers=((name, value),))
    assert (name, value) not in upstream.request_headers(provider, [(name, value)], b"{}")


def test_the_request_goes_on_the_wire_as_http_1_1():
    wire = http1.request_bytes(
        "POST", "http://127.0.0.1:8080/base/v1/messages?beta=true", [("x-api-key", "k")], b"{}"
    )
    assert wire == (b"POST /base/v1/messages?beta=true HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n"
                    b"x-api-key: k\r\ncontent-length: 2\r\n\r\n{}")
    assert http1.request_bytes("GET", "https://api.example.com/v1/models", [], b"") == (
        b"GET /v1/models HTTP/1.1\r\nhost: api.example.com\r\n\r\n"
    )


def _self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@contextlib.asynccontextmanager
async def tls_server(tmp_path, script: Script):
    import ssl

    cert, key = _self_signed(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    server = Scripted(script)
    srv = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=server_side)
    server.port = srv.sockets[0].getsockname()[1]
    try:
        yield server, cert
    finally:
        srv.close()


async def test_it_speaks_tls_and_reuses_the_connection(tmp_path):
    import ssl

    async with tls_server(tmp_path, answer(OK)) as (server, cert):
        pool = http1.Pool(tls=ssl.create_default_context(cafile=cert))
        url = f"https://127.0.0.1:{server.port}/v1/messages"
        for _ in range(2):
            response = await pool.request("POST", url, [("x-api-key", "k")], b"{}", connect_timeout=2)
            assert (response.status, await read_all(response)) == (200, b"{}")
            response.release()
        await pool.aclose()
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1:")


async def test_it_refuses_a_certificate_it_cannot_verify(tmp_path):
    async with tls_server(tmp_path, answer(OK)) as (server, _cert):
        pool = http1.Pool()  # certifi's roots: a self-signed certificate is not among them
        with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
            await pool.request("POST", f"https://127.0.0.1:{server.port}/v1/messages", [], b"{}", connect_timeout=2)
        await pool.aclose()
    assert server.requests == []


async def test_it_connects_to_the_addresses_its_resolver_checked():
    from playground.providers.urlguard import URLRefused, resolve_checked

    async with scripted(answer(OK)) as server:
        asked = []

        async def resolve(host: str, port: int) -> list[tuple[str, int]]:
            asked.append((host, port))
            return [("127.0.0.1", server.port)]

        pool = http1.Pool(resolve=resolve)
        response = await pool.request("POST", "http://upstream.example:8443/v1/messages", [], b"{}", connect_timeout=2)
        await read_all(response)
        response.release()
        await pool.aclose()
        assert asked == [("upstream.example", 8443)]
        assert b"\r\nhost: upstream.example:8443\r\n" in server.requests[0]

        guarded = http1.Pool(resolve=resolve_checked)
        with pytest.raises(URLRefused, match="loopback"):
            await guarded.request("POST", f"http://localhost:{server.port}/v1/messages", [], b"{}", connect_timeout=2)
        await guarded.aclose()
        assert len(server.requests) == 1  # the refused request never left
