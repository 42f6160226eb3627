"""How the client connects to a network provider: to the address the URL guard checked (TLS
still against the host name), with the provider's own CA bundle when it has one, and
through an environment proxy only when the provider opts in."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from playground import upstream
from playground.providers.config import ProviderConfig
from playground.providers.urlguard import check_resolved

HOST = "upstream.example"
OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


class Server:
    """Answers every request with OK and keeps each request's head."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.port = 0

    async def serve(self, reader, writer) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                self.requests.append(head)
                writer.write(OK)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def serving(tls: ssl.SSLContext | None = None):
    server = Server()
    srv = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=tls)
    server.port = srv.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        await upstream.aclose()
        srv.close()


def certificate(tmp_path) -> tuple[str, ssl.SSLContext]:
    """(CA bundle path, server TLS context) for a self-signed certificate naming HOST only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "ca.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert_path, key_path)
    return str(cert_path), server_side


def resolving_to(port: int, asked: list):
    """A stand-in for urlguard.resolve_checked: HOST is 'public' and lives on loopback."""

    async def resolve(host: str, _port: int) -> list[tuple[str, int]]:
        asked.append((host, _port))
        return [("127.0.0.1", port)]

    return resolve


async def post(provider: ProviderConfig) -> int:
    async with upstream.open(provider, "POST", "/v1/messages", body=b"{}") as resp:
        await resp.aread()
        return resp.status


async def test_it_connects_to_the_checked_address_and_verifies_tls_against_the_host_name(tmp_path, monkeypatch):
    bundle, server_tls = certificate(tmp_path)
    async with serving(server_tls) as server:
        asked: list = []
        monkeypatch.setattr(upstream, "resolve_checked", resolving_to(server.port, asked))
        provider = ProviderConfig(name="private-ca", base_url=f"https://{HOST}:8443", ca_bundle=bundle)
        assert await post(provider) == 200
        assert await post(provider) == 200
    assert asked == [(HOST, 8443)]  # once: the second call reused the connection
    assert f"\r\nhost: {HOST}:8443\r\n".encode() in server.requests[0].lower()


async def test_it_refuses_a_certificate_its_roots_cannot_verify(tmp_path, monkeypatch):
    _bundle, server_tls = certificate(tmp_path)
    async with serving(server_tls) as server:
        monkeypatch.setattr(upstream, "resolve_checked", resolving_to(server.port, []))
        provider = ProviderConfig(name="public-roots", base_url=f"https://{HOST}:8443")
        with pytest.raises(upstream.UpstreamUnavailable):
            await post(provider)
    assert server.requests == []


async def test_it_sends_nothing_when_the_name_resolves_to_a_refused_address(monkeypatch):
    async with serving() as server:

        async def resolve(host: str, port: int) -> list[tuple[str, int]]:
            check_resolved(["127.0.0.1"], host)  # what the real resolver checks
            return [("127.0.0.1", server.port)]

        monkeypatch.setattr(upstream, "resolve_checked", resolve)
        provider = ProviderConfig(name="rebinding", base_url=f"http://{HOST}:{server.port}", api_key="sk-never-sent")
        with pytest.raises(upstream.UpstreamRefused, match="loopback"):
            await post(provider)
    assert server.requests == []


@pytest.mark.parametrize("opted_in", [True, False])
async def test_it_uses_the_environment_proxy_only_when_the_provider_opts_in(monkeypatch, opted_in):
    async with serving() as proxy, serving() as direct:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "")
        provider = ProviderConfig(
            name="behind-proxy", base_url=f"http://{HOST}:{direct.port}", use_env_proxy=opted_in,
        )
        monkeypatch.setattr(upstream, "resolve_checked", resolving_to(direct.port, []))
        assert await post(provider) == 200
    if opted_in:
        assert proxy.requests[0].startswith(f"POST http://{HOST}:{direct.port}/v1/messages ".encode())
        assert direct.requests == []
    else:
        assert proxy.requests == [] and len(direct.requests) == 1

