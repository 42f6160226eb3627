"""The idle timeout counts only the time spent waiting for the upstream's next bytes."""

import asyncio
import time
from types import SimpleNamespace

import httpx
import pytest

from playground.upstream import UpstreamResponse, UpstreamTimeout

PROVIDER = SimpleNamespace(name="p", idle_timeout=0.15)


class Pieces(httpx.AsyncByteStream):
    def __init__(self, delays: tuple[float, ...]) -> None:
        self.delays = delays

    async def __aiter__(self):
        for i, delay in enumerate(self.delays):
            await asyncio.sleep(delay)
            yield f"{i};".encode()


def response(delays: tuple[float, ...]) -> UpstreamResponse:
    return UpstreamResponse(PROVIDER, httpx.Response(200, stream=Pieces(delays)))


def pieces(*delays: float) -> tuple[float, ...]:
    return delays


async def test_an_upstream_silent_past_the_idle_timeout_times_out():
    got = []
    with pytest.raises(UpstreamTimeout) as exc:
        async for chunk in response(pieces(0.0, 0.05, 0.5)).aiter_raw():
            got.append(chunk)
    assert got == [b"0;", b"1;"] and exc.value.phase == "idle"


async def test_a_slow_reader_is_not_an_idle_upstream():
    got = []
    async for chunk in response(pieces(0.0, 0.01, 0.01)).aiter_raw():
        got.append(chunk)
        await asyncio.sleep(0.2)  # longer than the timeout, but spent by the reader
    assert got == [b"0;", b"1;", b"2;"]


async def test_steady_chunks_over_a_long_stream_never_time_out():
    n = 0
    async for _ in response(pieces(*[0.03] * 12)).aiter_raw():  # 0.36 s in all
        n += 1
    assert n == 12


async def test_a_cancel_from_outside_stays_a_cancel():
    async def read():
        async for _ in response(pieces(0.0, 10.0)).aiter_raw():
            pass

    task = asyncio.ensure_future(read())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_cancel_landing_with_the_timeout_stays_a_cancel():
    async def read():
        async for _ in response(pieces(10.0)).aiter_raw():
            pass

    task = asyncio.ensure_future(read())
    await asyncio.sleep(0)  # the reader is now waiting, the deadline set
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PROVIDER.idle_timeout
    # Block the loop past the idle deadline and a client's cancel just after it, so
    # both fire in the same loop turn, before the reader runs again.
    loop.call_at(deadline - 0.05, time.sleep, 0.1)
    loop.call_at(deadline + 0.01, task.cancel)
    await asyncio.sleep(PROVIDER.idle_timeout + 0.2)
    assert task.done()
    with pytest.raises(asyncio.CancelledError):
        task.result()
