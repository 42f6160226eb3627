"""The live exchange list: a WebSocket that tells the page which exchanges changed.

Policy: the group name is built here from the authenticated user's team, never from
anything the client sends (a client cannot subscribe to another team's exchanges).
Frames carry only `{"type": "exchange.changed", "public_id": ...}`; the page fetches the
row over HTTP, where the usual team-scoped view renders it. Anonymous sockets and users
without a team are closed with code 4403. The socket is one-way: client frames are ignored.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer


def group_for_team(team_id: int) -> str:
    """The channel-layer group the recorder broadcasts to (docs/architecture.md)."""
    return f"exchanges.team.{team_id}"


@database_sync_to_async
def _team_id_for(user, session) -> int | None:
    from playground.teams.ops import team_for_user

    team = team_for_user(user, session)
    return team.pk if team else None


class ExchangeListConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        team_id = await _team_id_for(self.scope.get("user"), self.scope.get("session"))
        if team_id is None:
            await self.close(code=4403)
            return
        self.group = group_for_team(team_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # One-way socket: nothing the client says changes what it receives.
        return

    async def exchange_changed(self, event: dict) -> None:
        public_id = event.get("public_id")
        if isinstance(public_id, str):
            await self.send_json({"type": "exchange.changed", "public_id": public_id})

    async def channel_layer_reconnected(self, event: dict) -> None:
        # Redis came back after a restart and the socket is in its team's group again; the
        # list shows changes from here on (those made while Redis was away need a reload).
        return
