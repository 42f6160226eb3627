"""A live view stays open through a quiet spell: the Redis channel layer's blocking read
outlasts redis-py's socket timeout, so a consumer that waits more than 5 s for its next
message is not torn down by a read timeout."""

from __future__ import annotations

import asyncio
import os

import pytest
from channels.layers import get_channel_layer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL + Redis phase)"),
]


async def test_a_channel_waits_through_a_quiet_spell_longer_than_the_socket_timeout():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    waiting = asyncio.create_task(layer.receive(channel))
    # Longer than the 5 s read timeout redis-py sets by default and channels-redis's own
    # 5 s blocking read: both expire during this pause.
    await asyncio.sleep(6.5)
    assert not waiting.done(), waiting.exception() if waiting.done() else None
    await layer.send(channel, {"type": "ping"})
    async with asyncio.timeout(10):
        assert await waiting == {"type": "ping"}
    await layer.flush()
