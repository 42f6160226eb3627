"""The WebSocket doors (live exchange view, live exchange list, run socket) and replay, for
the four personas, through the real ASGI application with real session cookies."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from playground import recording
from playground.asgi import application
from playground.recording.models import Exchange
from playground.teams.ops import ensure_team
from tests.teams.objects import make_acme_objects, record_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(alice, bob, victor):
    return {"alice": alice, "bob": bob, "victor": victor, "objects": make_acme_objects(alice)}


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket(world, persona: str, path: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if persona != "anon":
        headers.append((b"cookie", await sync_to_async(_cookie)(world[persona])))
    return WebsocketCommunicator(application, path, headers=headers)


async def refused_with(comm: WebsocketCommunicator) -> int | None:
    """The close code when the socket is refused at connect, else None (and it is closed)."""
    connected, code = await comm.connect()
    if connected:
        await comm.disconnect()
        return None
    return code


@pytest.mark.parametrize(("persona", "code"), [("alice", None), ("victor", None), ("bob", 4404), ("anon", 4401)])
async def test_it_lets_only_acme_watch_an_acme_exchange_live(world, persona, code):
    path = f"/ws/exchanges/{world['objects'].exchange.public_id}/live/"
    comm = await socket(world, persona, path)
    if code is None:
        connected, _ = await comm.connect()
        assert connected
        state = await comm.receive_json_from(timeout=5)
        assert state["type"] == "live.state"
        assert state["exchange_id"] == world["objects"].exchange.public_id
        await comm.disconnect()
    else:
        assert await refused_with(comm) == code


async def test_it_refuses_the_live_view_of_an_unknown_exchange_the_same_way(world):
    assert await refused_with(await socket(world, "bob", "/ws/exchanges/N0tAnExchangeAtA11xyzQ/live/")) == 4404


async def test_it_tells_only_acme_about_acme_exchanges(world):
    sockets = {p: await socket(world, p, "/ws/exchanges/") for p in ("alice", "victor", "bob")}
    for comm in sockets.values():
        assert (await comm.connect())[0]
    team = await sync_to_async(ensure_team)("acme")
    exchange = await sync_to_async(record_for)(team, world["alice"])
    for persona in ("alice", "victor"):
        frame = await sockets[persona].receive_json_from(timeout=5)
        assert frame == {"type": "exchange.changed", "public_id": exchange.public_id}
    assert await sockets["bob"].receive_nothing(timeout=0.3)
    for comm in sockets.values():
        await comm.disconnect()


async def test_it_refuses_the_exchange_list_socket_to_anonymous_visitors(world):
    assert await refused_with(await socket(world, "anon", "/ws/exchanges/")) == 4403


async def test_it_refuses_the_run_socket_to_anonymous_visitors(world):
    assert await refused_with(await socket(world, "anon", "/ws/runs/")) == 4401


def _run(action: str = "run", **extra) -> dict:
    message = {
        "action": action, "run_id": str(uuid.uuid4()),
        "request": {"model": "sim-1", "max_tokens": 32, "messages": [{"role": "user", "content": "hi"}]},
        **extra,
    }
    if action == "autorun":
        message["mocks"] = {}
    if action == "grid":
        message["sets"] = [{"name": "one", "values": {"city": "Paris"}}]
    if action == "compare":
        message["targets"] = [{"model": "sim-1", "provider": None}, {"model": "sim-1-fast", "provider": None}]
    return message


async def _first_answer(comm: WebsocketCommunicator) -> dict:
    while True:
        frame = await comm.receive_json_from(timeout=10)
        if frame["type"] in ("run.rejected", "run.finished"):
            return frame


@pytest.mark.parametrize("action", ["run", "autorun", "compare", "grid"])
async def test_it_refuses_a_viewers_run_with_a_permission_error(world, action):
    comm = await socket(world, "victor", "/ws/runs/")
    assert (await comm.connect())[0]
    before = await sync_to_async(Exchange.objects.count)()
    message = _run(action)
    await comm.send_json_to(message)
    frame = await _first_answer(comm)
    assert frame["type"] == "run.rejected"
    assert frame["run_id"] == message["run_id"]
    assert frame["error"]["type"] == "permission_error"
    await comm.disconnect()
    await recording.flush()
    assert await sync_to_async(Exchange.objects.count)() == before


async def test_it_runs_for_a_member(world):
    comm = await socket(world, "alice", "/ws/runs/")
    assert (await comm.connect())[0]
    await comm.send_json_to(_run())
    frame = await _first_answer(comm)
    assert frame["type"] == "run.finished" and frame["outcome"] == "completed"
    await comm.disconnect()
    await recording.flush()


async def test_it_keeps_a_teams_provider_from_other_teams(world):
    # bob names acme's provider: his team cannot use it, so nothing is sent with its key.
    comm = await socket(world, "bob", "/ws/runs/")
    assert (await comm.connect())[0]
    message = _run(provider=world["objects"].provider)
    message["request"]["model"] = "acme-model"
    await comm.send_json_to(message)
    frame = await _first_answer(comm)
    error = frame.get("error") or {}
    assert error.get("type") in ("invalid_request_error", "not_found_error"), frame
    assert "acme-private" in error.get("message", "") and "sk-acme" not in json.dumps(frame)
    await comm.disconnect()
    await recording.flush()


def test_it_lets_a_member_replay_and_no_one_else(world):
    objects = world["objects"]
    url = f"/exchanges/{objects.exchange.public_id}/replay/"
    for persona, status in (("victor", 403), ("bob", 404)):
        client = Client()
        client.force_login(world[persona])
        assert client.post(url).status_code == status
    assert not Exchange.objects.filter(source="replay").exists()
    client = Client()
    client.force_login(world["alice"])
    response = client.post(url, {"model": "sim-1"})
    assert response.status_code == 302 and response["Location"].startswith("/exchanges/diff/")
    assert Exchange.objects.filter(source="replay", team__name="acme").count() == 1
