"""The team live view (`ws/exchanges/<public_id>/live/`): anyone in the team watches a run.

Policy:

* Only members of the exchange's team connect; any other exchange id is refused the same way
  as one that does not exist. Group names are built here from the checked exchange, never
  taken from the client.
* Join the group first, then send what the database already holds (a viewer who joins
  mid-way misses nothing), then, on each of the recorder's `exchange.events` notices (one
  per written batch), read and send what was not sent yet. Every event carries its `seq`
  (its index in the exchange), so nothing is sent twice, and a notice the channel layer
  drops (it does so silently when a channel is full) is made up by the next one. The page
  can also ask for a resync from any seq when it sees a gap itself.
* The recorder announces the end with `exchange.changed` on the same group; then the rest of
  the events are read from the database and a `live.finished` frame carries the final state.
* Frames: `live.state` (once), `live.events` (`events`: [{seq, t_ms, event, data}]),
  `live.finished` (outcome, status, message, usage, stop_reason, cost_usd, error).
"""

from __future__ import annotations

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.composer.consumers import scope_team

log = logging.getLogger(__name__)

PAGE = 2000  # events per frame when replaying from the database


def _parse(data: str | None):
    """An event's parsed `data` (the raw text when it is not JSON; the recorder flagged it)."""
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data


def _find_exchange(scope, public_id: str):
    from playground.recording.models import Exchange

    team = scope_team(scope)
    if team is None:
        return None
    return Exchange.objects.for_team(team).filter(public_id=public_id).first()


def _read_events(exchange_pk: int, after_seq: int, limit: int) -> list[dict]:
    from playground.recording.events import events_after

    rows = events_after(exchange_pk, after_seq, limit)
    return [
        {"seq": r.seq, "t_ms": r.offset_ms, "event": r.event or None, "data": _parse(r.data)}
        for r in rows
        if r.seq > after_seq
    ]


def _final_state(exchange_pk: int) -> dict:
    from playground.recording.models import Exchange

    ex = Exchange.objects.get(pk=exchange_pk)
    return {
        "outcome": ex.outcome,
        "status": ex.status,
        "message": ex.message,
        "usage": (ex.message or {}).get("usage") if isinstance(ex.message, dict) else None,
        "stop_reason": ex.stop_reason or None,
        "cost_usd": float(ex.cost_usd) if ex.cost_usd is not None else None,
        "error": {"type": ex.error_type, "message": ex.error_message} if ex.error_type else None,
        "event_count": ex.event_count,
    }


class LiveExchangeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        self.last_seq = -1
        self.finished = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        exchange = await database_sync_to_async(_find_exchange)(self.scope, public_id)
        if exchange is None:
            await self.close(code=4404)
            return
        self.exchange_pk = exchange.pk
        self.public_id = exchange.public_id
        # The recorder sends both the event batches and `exchange.changed` to this group.
        group = f"exchange.{exchange.public_id}"
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)
        await self.accept()
        await self.send_json(
            {
                "type": "live.state",
                "exchange_id": exchange.public_id,
                "model": exchange.model,
                "provider": exchange.provider,
                "outcome": exchange.outcome,
            }
        )
        await self.catch_up()
        if exchange.outcome != "streaming":
            await self.finish()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def catch_up(self, after_seq: int | None = None, replay: bool = True) -> None:
        """Send everything the database holds after `after_seq` (default: what was sent)."""
        after = self.last_seq if after_seq is None else after_seq
        while True:
            events = await database_sync_to_async(_read_events)(self.exchange_pk, after, PAGE)
            if not events:
                return
            await self.send_json({"type": "live.events", "events": events, "replay": replay})
            after = events[-1]["seq"]
            self.last_seq = max(self.last_seq, after)
            if len(events) < PAGE:
                return

    async def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        await self.catch_up()
        state = await database_sync_to_async(_final_state)(self.exchange_pk)
        await self.send_json({"type": "live.finished", "exchange_id": self.public_id, **state})

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("action") != "resync":
            await self.send_json({"type": "live.error", "error": "unknown message"})
            return
        from_seq = content.get("from_seq")
        if not isinstance(from_seq, int) or isinstance(from_seq, bool) or from_seq < 0:
            await self.send_json({"type": "live.error", "error": "from_seq must be an integer >= 0"})
            return
        await self.catch_up(after_seq=from_seq - 1)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            content = None
        await self.receive_json(content)

    # channel-layer handlers ------------------------------------------------------------

    async def exchange_events(self, message: dict) -> None:
        # The recorder announces the seqs it just wrote; the events come from the database,
        # so a notice lost on the channel layer costs nothing but a little latency (the
        # next notice, or the finish, catches up).
        if self.finished:
            return
        last_seq = message.get("last_seq")
        if isinstance(last_seq, int) and last_seq <= self.last_seq:
            return
        await self.catch_up(replay=False)

    async def exchange_changed(self, message: dict) -> None:
        if message.get("public_id") != self.public_id or self.finished:
            return
        state = await database_sync_to_async(_final_state)(self.exchange_pk)
        if state["outcome"] != "streaming":
            await self.finish()

    async def channel_layer_reconnected(self, message: dict) -> None:
        # Redis came back after being away (a restart): the notices sent meanwhile are lost,
        # so read what was missed, and finish when the run ended while it was away.
        if self.finished:
            return
        await self.catch_up()
        state = await database_sync_to_async(_final_state)(self.exchange_pk)
        if state["outcome"] != "streaming":
            await self.finish()
