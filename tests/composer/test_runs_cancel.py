"""run_request stops at once when cancelled before the upstream sent a single byte."""

from __future__ import annotations

import asyncio
import time

import pytest

from playground.composer.runs import run_request
from tests.composer.support import (
    recorded,
    simple_request,
    team_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_cancels_before_the_first_byte_and_records_it(alice):
    from channels.db import database_sync_to_async

    team_id = await database_sync_to_async(team_of)(alice)
    cancel = asyncio.Event()
    started = []
    # A non-streaming replay: the simulator holds back even the status line for 30 s.
    task = asyncio.create_task(
        run_request(
            simple_request(), provider=None, headers={"x-sim-fault": "stall", "x-sim-stall-ms": "30000"},
            source="replay", team_id=team_id, user_id=alice.pk, cancel=cancel, on_start=started.append,
        )
    )
    await asyncio.sleep(0.3)
    assert not task.done() and started
    cancel.set()
    t0 = time.monotonic()
    result = await asyncio.wait_for(task, timeout=5)
    assert time.monotonic() - t0 < 1.0
    assert result.outcome == "client_cancelled"
    assert result.status is None and result.message is None
    exchange = await recorded(result.public_id)
    assert exchange.outcome == "client_cancelled"
    assert exchange.source == "replay"
    assert exchange.stream is False  # the replay keeps the request as recorded


async def test_a_cancelled_task_records_the_run_and_stays_cancelled(alice):
    from channels.db import database_sync_to_async

    team_id = await database_sync_to_async(team_of)(alice)
    started = []
    task = asyncio.create_task(
        run_request(
            simple_request(), provider=None, headers={"x-sim-delay-ms": "20", "x-sim-output-tokens": "300"},
            team_id=team_id, user_id=alice.pk, on_start=started.append,
        )
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    exchange = await recorded(started[0].public_id)
    assert exchange.outcome == "client_cancelled"
    assert exchange.message and exchange.message["content"][0]["text"]
