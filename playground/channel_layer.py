"""The Redis channel layer: channels-redis's, made to hold long-lived sockets open.

Two faults of the stock layer closed idle or surviving sockets with an error (uvicorn's 1011):

* **Idle consumers died after 5 s.** A consumer waits for its next message with a blocking
  pop that Redis answers "nothing yet" after `brpop_timeout` (5 s). redis-py (6 and later)
  also stops reading any reply after its `socket_timeout`, 5 s by default, and its deadline
  starts earlier than the server's, so it expired first: the read failed with a
  TimeoutError, which ended the consumer. A longer socket timeout for every command would
  also let a dead Redis hold any other call that long; instead the blocking pop asks Redis
  for less than the socket timeout (`BLOCK_MARGIN` of it left), so its answer always comes
  in time and every other command keeps the short timeout.
* **A Redis restart ended every socket.** The pop's connection closes, the error ended the
  consumer. Now `receive` waits for Redis to come back (retrying with a capped back-off, for
  as long as the consumer lives: closing the socket cancels it), joins the channel's groups
  again (a restarted Redis without persistence lost them) and, since broadcasts sent while it
  was away are lost, hands the consumer a `channel_layer.reconnected` message so it can read
  what it missed from the database. Only a channel that is in a group gets that message: a
  channel nobody broadcasts to misses nothing it could repair. Pooled connections that Redis
  closed are retried once on a fresh connection, so the first broadcast after a restart is
  not lost either.
"""

from __future__ import annotations

import asyncio
import logging

from channels_redis import core
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("playground.channel_layer")

RECONNECTED = "channel_layer.reconnected"
SOCKET_TIMEOUT = 5.0  # redis-py's default, stated: how long any reply may take
BLOCK_MARGIN = 3.0  # how much earlier than the socket timeout Redis ends a blocking pop
RETRY_DELAYS = (0.1, 0.2, 0.5, 1.0, 2.0)  # between attempts while Redis is away; the last repeats
LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, hosts=None, **kwargs) -> None:
        super().__init__(hosts=hosts, **kwargs)
        self.hosts = [_with_connection_defaults(host) for host in self.hosts]
        timeouts = [host["socket_timeout"] for host in self.hosts if host["socket_timeout"]]
        # An instance attribute: the class's 5 s is what lost the race with the socket timeout.
        self.brpop_timeout = max(1, int(min(timeouts, default=SOCKET_TIMEOUT) - BLOCK_MARGIN))
        self.groups_of: dict[str, set[str]] = {}  # this process's channels and their groups

    async def group_add(self, group: str, channel: str) -> None:
        await super().group_add(group, channel)
        if "!" in channel:
            self.groups_of.setdefault(channel, set()).add(group)

    async def group_discard(self, group: str, channel: str) -> None:
        groups = self.groups_of.get(channel)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.groups_of[channel]
        await super().group_discard(group, channel)

    async def receive(self, channel: str) -> dict:
        attempt = 0
        while True:
            try:
                if attempt:
                    await self._rejoin(channel)
                    if self.groups_of.get(channel):
                        return {"type": RECONNECTED}
                return await super().receive(channel)
            except LOST as exc:
                if asyncio.current_task().cancelling():
                    # A cancel that landed as a read timed out (redis-py's read timeout can
                    # swallow it) still ends the receive: retrying would outlive the socket.
                    raise asyncio.CancelledError from exc
                if asyncio.get_running_loop() not in self._layers:
                    # The event loop is closing: channels-redis dropped its connections on
                    # purpose. A retry would open new ones and outlive the loop half-way
                    # through a receive, and the layer would refuse every later loop.
                    raise
                delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                if attempt == 0:
                    log.warning("channel layer: Redis unreachable (%s); retrying", type(exc).__name__)
                attempt += 1
                await asyncio.sleep(delay)

    async def _brpop_with_clean(self, index, channel, timeout):  # noqa: ASYNC109 (the parent's signature)
        result = await super()._brpop_with_clean(index, channel, timeout)
        if asyncio.current_task().cancelling():
            # A cancel can be lost inside redis-py's blocking read; the task still says it
            # was asked to stop. Without this check the receive would pop forever (with the
            # short blocking pop above, no read ever times out to end it). A popped message
            # is not lost: it waits in the backup queue for the next receive.
            raise asyncio.CancelledError
        return result

    async def _rejoin(self, channel: str) -> None:
        for group in list(self.groups_of.get(channel, ())):
            await super().group_add(group, channel)
        log.info("channel layer: Redis reachable again; %s rejoined its groups", channel)


def _with_connection_defaults(host: dict) -> dict:
    """A host's connection settings with a stated socket timeout and one retry of a command
    on a fresh connection when its pooled connection was closed by Redis."""
    host = dict(host)
    host.setdefault("socket_timeout", SOCKET_TIMEOUT)
    host.setdefault("retry", Retry(NoBackoff(), 1))
    return host
