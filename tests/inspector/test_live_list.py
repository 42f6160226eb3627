"""The live exchange list: a team's socket hears about its own exchanges only."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from playground import recording
from playground.asgi import application
from tests.inspector.recorded import team_of

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_for(user, team_id: int | None = None) -> bytes:
    client = Client()
    client.force_login(user)
    if team_id is not None:
        session = client.session
        session["team_id"] = team_id
        session.save()
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(user, team_id: int | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(_cookie_for)(user, team_id)))
    return WebsocketCommunicator(application, "/ws/exchanges/", headers=headers)


async def test_it_tells_the_team_which_exchange_changed(alice, bob):
    alice_ws, bob_ws = await _connect(alice), await _connect(bob)
    assert (await alice_ws.connect())[0]
    assert (await bob_ws.connect())[0]
    team = await sync_to_async(team_of)(alice)

    rec = recording.start_exchange(
        source="proxy", request_headers={"content-type": "application/json"},
        request_body=json.dumps({"model": "claude-haiku-4-5", "max_tokens": 5,
                                 "messages": [{"role": "user", "content": "hi"}]}).encode(),
        provider="simulator", team_id=team.pk, user_id=alice.pk,
    )
    rec.response_started(200, {"content-type": "application/json"})
    rec.finish(outcome="client_cancelled")
    await recording.flush()

    frame = await alice_ws.receive_json_from(timeout=5)
    assert frame == {"type": "exchange.changed", "public_id": rec.public_id}
    assert await bob_ws.receive_nothing(timeout=0.3)
    await alice_ws.disconnect()
    await bob_ws.disconnect()


async def test_it_ignores_what_the_client_asks_for(alice, bob):
    bob_ws = await _connect(bob)
    assert (await bob_ws.connect())[0]
    alice_team = await sync_to_async(team_of)(alice)
    # Bob cannot join acme's group by asking: the group comes from his session.
    await bob_ws.send_json_to({"subscribe": f"exchanges.team.{alice_team.pk}"})
    await get_channel_layer().group_send(
        f"exchanges.team.{alice_team.pk}", {"type": "exchange.changed", "public_id": "acme-secret"}
    )
    assert await bob_ws.receive_nothing(timeout=0.3)
    await bob_ws.disconnect()


async def test_it_follows_the_team_chosen_in_the_session_only_for_a_member(alice):
    from playground.teams.ops import add_member, ensure_team

    def teams():
        acme, globex = ensure_team("acme"), ensure_team("globex")
        initech = ensure_team("initech")
        add_member(globex, alice)
        return acme.pk, globex.pk, initech.pk

    acme, globex, initech = await sync_to_async(teams)()
    chosen = await _connect(alice, team_id=globex)
    foreign = await _connect(alice, team_id=initech)  # not her team: her first team instead
    assert (await chosen.connect())[0]
    assert (await foreign.connect())[0]
    layer = get_channel_layer()
    await layer.group_send(f"exchanges.team.{globex}", {"type": "exchange.changed", "public_id": "g-1"})
    await layer.group_send(f"exchanges.team.{acme}", {"type": "exchange.changed", "public_id": "a-1"})
    assert await chosen.receive_json_from(timeout=5) == {"type": "exchange.changed", "public_id": "g-1"}
    assert await foreign.receive_json_from(timeout=5) == {"type": "exchange.changed", "public_id": "a-1"}
    assert await chosen.receive_nothing(timeout=0.3)
    assert await foreign.receive_nothing(timeout=0.3)
    await chosen.disconnect()
    await foreign.disconnect()


async def test_it_closes_anonymous_sockets(db):
    ws = await _connect(None)
    connected, code = await ws.connect()
    assert not connected
    assert code == 4403
    await asyncio.sleep(0)


def test_it_serves_the_row_the_page_fetches(client, alice, bob):
    from tests.inspector.recorded import record_capture

    exchange = record_capture(alice, "02_stream_text_basic.json")
    client.force_login(alice)
    row = client.get(f"/exchanges/{exchange.public_id}/row/").content.decode()
    assert row.startswith(f'<tr id="ex-{exchange.public_id}"')
    # The page's own filter applies: a row that does not match comes back empty.
    assert client.get(f"/exchanges/{exchange.public_id}/row/?model=other").content == b""
    client.force_login(bob)
    assert client.get(f"/exchanges/{exchange.public_id}/row/").status_code == 404
