"""The client reads a response the same however the network splits it: any read
boundaries, any chunk sizes, content-length or chunked (hypothesis, against a transport
that only records)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from playground import http1


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _chunked(body: bytes, sizes: list[int]) -> bytes:
    out, at, i = b"", 0, 0
    while at < len(body):
        size = sizes[i % len(sizes)]
        i += 1
        piece = body[at : at + size]
        at += size
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def _read(raw: bytes, cuts: list[int]) -> tuple[http1.Response, bytes, bool]:
    """Feed `raw` split at `cuts`; (response, body read, whether the headers resolved)."""

    async def run():
        connection = http1._Connection(http1.Pool(), ("http", "upstream.example", 80))  # noqa: SLF001
        connection.connection_made(RecordingTransport())
        response, headers_arrived = connection.send(b"POST / HTTP/1.1\r\n\r\n")
        bounds = sorted({c % (len(raw) + 1) for c in cuts} | {0, len(raw)})
        for start, end in zip(bounds, bounds[1:], strict=False):
            connection.data_received(raw[start:end])
        body = b"".join(response._chunks)  # noqa: SLF001 - what a reader would get
        return response, body, headers_arrived.done() and headers_arrived.exception() is None

    return asyncio.run(run())


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nrequest-id: req_1\r\n"


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(min_size=0, max_size=3000),
    sizes=st.lists(st.integers(1, 700), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_a_chunked_body_reads_the_same_however_it_is_split(body, sizes, cuts):
    raw = HEAD + b"transfer-encoding: chunked\r\n\r\n" + _chunked(body, sizes)
    response, read, headers = _read(raw, cuts)
    assert headers and response.status == 200
    assert response.raw_headers[:2] == [(b"content-type", b"text/event-stream"), (b"request-id", b"req_1")]
    assert read == body
    assert response._complete  # noqa: SLF001


@settings(max_examples=100, deadline=None)
@given(body=st.binary(min_size=0, max_size=3000), cuts=st.lists(st.integers(0, 10_000), max_size=20))
def test_a_body_with_a_length_reads_the_same_however_it_is_split(body, cuts):
    raw = HEAD + f"content-length: {len(body)}\r\n\r\n".encode() + body
    response, read, headers = _read(raw, cuts)
    assert headers and response.status == 200
    assert read == body
    assert response._complete  # noqa: SLF001
