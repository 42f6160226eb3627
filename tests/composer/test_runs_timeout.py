"""An upstream that goes silent past the provider's idle timeout ends the run as `timeout`."""

from __future__ import annotations

import dataclasses

import pytest
from channels.db import database_sync_to_async

from playground import providers
from playground.composer.runs import run_request
from tests.composer.support import (
    message_text,
    recorded,
    simple_request,
    team_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("settle_recording")]


async def test_it_records_a_timeout_with_what_arrived(alice, monkeypatch):
    impatient = dataclasses.replace(providers.SIMULATOR, idle_timeout=0.3)

    async def resolve(model, team=None, provider_name=None):
        return impatient

    monkeypatch.setattr(providers, "aresolve", resolve)
    team_id = await database_sync_to_async(team_of)(alice)
    seen = []
    result = await run_request(
        simple_request(), provider=None,
        headers={"x-sim-fault": "stall", "x-sim-fault-after": "2", "x-sim-stall-ms": "5000"},
        team_id=team_id, user_id=alice.pk, on_event=seen.append,
    )
    assert result.outcome == "timeout"
    assert result.error["type"] == "timeout_error"
    streamed = "".join(e.data["delta"]["text"] for e in seen if e.event == "content_block_delta")
    assert streamed and message_text(result.message) == streamed
    exchange = await recorded(result.public_id)
    assert exchange.outcome == "timeout"
    assert message_text(exchange.message) == streamed
