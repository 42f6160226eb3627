"""Canary sweep (issue 14): unique provider-key and proxy-key values, every path driven,
then the whole database, every log line, every rendered page and every export searched.

The provider is a network provider (the standalone simulator on loopback) holding the
canary provider key; the proxy key is pinned to it. Composer paths (a second test, over the
run socket): a run, an upstream 500, an error event and a cut mid-stream, a stop, a compare
and a tool loop. Proxy paths: success (JSON and stream), an
invalid request, 500, 529, an error event mid-stream, a cut mid-stream, a client that stops
reading mid-stream, a client timeout during a stall, count_tokens, bad proxy keys, a replay
from the inspector, then every page of every recorded exchange (all tabs, raw parts, code
exports), thread pages and both export formats. Expected: zero hits, apart from the
encrypted key column (which holds ciphertext, so it has none either).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid

import anthropic
import httpx
import pytest
import websockets
from django.db import connection
from django.test import Client

from playground.contract.events import message_to_events
from playground.contract.sse import encode_event
from playground.logs import JsonFormatter
from playground.providers.ops import save_provider
from playground.proxy.keys import create_key
from playground.recording.models import Exchange, Thread
from playground.simulator.asgi import app as simulator_app
from playground.teams.ops import ensure_team
from tests.proxy.conftest import ServerThread

pytestmark = pytest.mark.timeout(300)

PROVIDER_KEY = f"sk-ant-api03-CANARYprov{uuid.uuid4().hex}"


@pytest.fixture
def upstream():
    server = ServerThread(simulator_app, lifespan="on")
    yield server.start()
    server.stop()


@pytest.fixture
def canary(app_url, upstream, alice):
    team = ensure_team("acme")
    save_provider("canary", base_url=upstream, model_patterns=["canary-*"], api_key=PROVIDER_KEY,
                  allow_private_network=True, team=team)
    _key, raw = create_key(team, "canary", provider="canary", created_by=alice)
    return app_url, raw


def _sdk(url: str, key: str, **kw) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key=key, max_retries=0, **kw)


BODY = {"model": "sim-1", "max_tokens": 200, "messages": [{"role": "user", "content": "Weather in Paris?"}]}


def _drive_proxy(url: str, key: str) -> None:
    sdk = _sdk(url, key, timeout=30)
    sdk.messages.create(**BODY)
    with sdk.messages.stream(**BODY) as stream:
        stream.get_final_message()
    sdk.messages.count_tokens(model="sim-1", messages=BODY["messages"])
    with contextlib.suppress(anthropic.BadRequestError):
        sdk.messages.create(model="sim-1", max_tokens=-1, messages=[])
    for fault, error in (("server_error", anthropic.InternalServerError),
                         ("overloaded", anthropic.APIStatusError),
                         ("error_mid_stream", anthropic.APIStatusError),
                         ("cut_mid_stream", anthropic.APIError)):
        with contextlib.suppress(error), sdk.messages.stream(**BODY, extra_headers={"x-sim-fault": fault}) as stream:
            stream.get_final_message()
    # The client stops reading after the first event (it leaves mid-stream).
    with sdk.messages.stream(**BODY, extra_headers={"x-sim-delay-ms": "20", "x-sim-output-tokens": "300"}) as stream:
        next(iter(stream))
    # The client gives up during a silence.
    with contextlib.suppress(anthropic.APITimeoutError):
        _sdk(url, key, timeout=1.0).messages.create(**BODY, extra_headers={"x-sim-fault": "stall", "x-sim-stall-ms": "5000"})
    for bad in (key[:-2] + "zz", key + "x", "Bearer " + key):
        httpx.post(url + "/v1/messages", headers={"x-api-key": bad}, json=BODY, timeout=10)
    httpx.post(url + "/v1/messages", headers={"authorization": "Bearer " + key[:-1]}, json=BODY, timeout=10)


def _pages(client: Client) -> list[tuple[str, bytes]]:
    seen = []

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code < 500, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen.append((path, body + json.dumps(dict(response.headers)).encode()))

    for path in ("/", "/exchanges/", "/exchanges/threads/", "/proxy/", "/providers/", "/exchanges/export.jsonl",
                 "/exchanges/export.html", "/admin/", "/admin/providers/provider/", "/admin/recording/exchange/"):
        get(path)
    for exchange in Exchange.objects.all():
        base = f"/exchanges/{exchange.public_id}/"
        get(base)
        for tab in ("conversation", "request", "response", "timeline", "headers", "cache", "findings"):
            get(f"{base}?tab={tab}")
        for part in ("request.json", "response.json", "response.sse"):
            get(f"{base}raw/{part}")
        for lang in ("curl", "python", "typescript"):
            get(f"{base}code/{lang}/")
        get(f"/admin/recording/exchange/{exchange.pk}/change/")
    for thread in Thread.objects.all():
        get(f"/exchanges/threads/{thread.public_id}/")
        get(f"/exchanges/threads/{thread.public_id}/export.jsonl")
        get(f"/exchanges/threads/{thread.public_id}/export.html")
    # Share links, read as an anonymous visitor would: a saved request, every exchange (each
    # tab) and every thread.
    visitor = Client()
    for kind, target in _share_targets():
        response = client.post("/shares/new", {"kind": kind, "target": target})
        assert response.status_code == 200, response.content[:300]
        seen.append((f"/shares/new {kind}", response.content))
        link = re.search(r'data-testid="share-url">https?://[^/]+(/s/pgs-[A-Za-z0-9_-]{43})<', response.content.decode())[1]
        tabs = SHARE_TABS if kind == "exchange" else ("",)
        for tab in tabs:
            path = f"{link}?tab={tab}" if tab else link
            response = visitor.get(path)
            assert response.status_code == 200, path
            seen.append((f"share {kind} {tab}", response.content + json.dumps(dict(response.headers)).encode()))
    get("/shares/")
    return seen


SHARE_TABS = ("", "conversation", "request", "response", "timeline", "headers", "findings")


def _share_targets() -> list[tuple[str, str]]:
    """A saved request made from a recorded request, then every exchange and thread."""
    from playground.library.ops import create_saved_request

    first = next(e for e in Exchange.objects.filter(team__isnull=False).order_by("id")
                 if isinstance(e.request_body, dict))
    saved = create_saved_request(first.team, first.user, "canary request", {
        "request": first.request_body, "provider": first.provider or None,
        "headers": {name: value for name, value in first.request_headers if name.startswith("anthropic-")},
    })
    targets = [("request", saved.public_id)]
    targets += [("exchange", e.public_id) for e in Exchange.objects.filter(team=first.team)]
    targets += [("thread", t.public_id) for t in Thread.objects.filter(team=first.team)]
    return targets


# Every logger at DEBUG, including those the settings quiet (httpx, httpcore, the servers'
# access lines), and the libraries under the run path (websockets frames, Redis, asyncio).
DEBUG_LOGGERS = ("", "playground", "django", "httpx", "httpcore", "uvicorn", "uvicorn.access",
                 "uvicorn.error", "django.channels.server", "websockets", "redis", "asyncio", "anthropic")


def _debug_logs(caplog) -> None:
    for name in DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def _log_hits(caplog, canaries) -> list[str]:
    formatter = JsonFormatter()
    return [f"log {r.name}" for r in caplog.records for c in canaries if c in formatter.format(r)]


def _database_dump() -> list[tuple[str, str]]:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("latin-1")
                    rows.append((table, str(value)))
    return rows


def test_no_key_is_found_anywhere_after_every_path(canary, alice, caplog, capfd, settings):
    _debug_logs(caplog)
    url, proxy_key = canary
    canaries = (PROVIDER_KEY, proxy_key)
    _drive_proxy(url, proxy_key)

    client = Client()
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    first = Exchange.objects.filter(source="proxy", outcome="completed").order_by("id").first()
    assert first is not None
    response = client.post(f"/exchanges/{first.public_id}/replay/", {"model": ""})
    assert response.status_code < 500
    from playground import recording

    recording.flush_sync()
    assert Exchange.objects.filter(provider="canary").count() >= 10

    pages = _pages(client)
    hits = [f"page {path}" for path, body in pages for c in canaries if c.encode() in body]
    hits += [f"table {table}" for table, value in _database_dump() for c in canaries if c in value]
    hits += _log_hits(caplog, canaries)
    out, err = capfd.readouterr()
    hits += [f"stdout/stderr {c[:16]}" for c in canaries if c in out or c in err]
    assert hits == [], hits


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _drive_composer(url: str, cookie: str) -> None:
    port = url.rsplit(":", 1)[1]
    socket_url = f"ws://127.0.0.1:{port}/ws/runs/"
    headers = {"Cookie": f"sessionid={cookie}", "Origin": f"http://127.0.0.1:{port}"}
    weather = {"name": "get_weather", "description": "Weather.",
               "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    runs = [
        {"action": "run", "run_id": "c-ok", "request": BODY, "provider": "canary"},
        {"action": "run", "run_id": "c-500", "request": BODY, "provider": "canary",
         "headers": {"x-sim-fault": "server_error"}},
        {"action": "run", "run_id": "c-mid", "request": {**BODY, "stream": True}, "provider": "canary",
         "headers": {"x-sim-fault": "error_mid_stream"}},
        {"action": "run", "run_id": "c-cut", "request": {**BODY, "stream": True}, "provider": "canary",
         "headers": {"x-sim-fault": "cut_mid_stream"}},
        {"action": "compare", "run_id": "c-cmp", "request": BODY,
         "targets": [{"model": "sim-1", "provider": "canary"}, {"model": "sim-1", "provider": None}]},
        {"action": "autorun", "run_id": "c-loop", "provider": "canary", "max_steps": 3,
         "request": {**BODY, "tools": [weather],
                     "messages": [{"role": "user", "content": "Use get_weather for Lisbon."}]},
         "mocks": {"get_weather": {"type": "template", "template": '{"temp_c": 19}'}}},
    ]
    async with websockets.connect(socket_url, additional_headers=headers, max_size=None) as ws:
        for run in runs:
            await ws.send(json.dumps(run))
            async with asyncio.timeout(60):
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("type") in ("run.rejected", "error") or (
                        run["action"] == "autorun" and frame.get("type") == "loop.step" and frame.get("final")
                    ) or (run["action"] == "compare" and frame.get("type") == "compare.finished") or (
                        run["action"] == "run" and frame.get("type") == "run.finished"
                    ):
                        break
                    if run["action"] == "compare" and frame.get("type") == "run.finished":
                        run.setdefault("_done", 0)
                        run["_done"] += 1
                        if run["_done"] == 2:
                            break
        # A run stopped by the user mid-stream.
        await ws.send(json.dumps({"action": "run", "run_id": "c-stop", "provider": "canary",
                                  "request": {**BODY, "stream": True},
                                  "headers": {"x-sim-delay-ms": "50", "x-sim-output-tokens": "300"}}))
        async with asyncio.timeout(60):
            while json.loads(await ws.recv()).get("type") != "run.events":
                pass
        await ws.send(json.dumps({"action": "stop", "run_id": "c-stop"}))
        async with asyncio.timeout(60):
            while json.loads(await ws.recv()).get("type") != "run.finished":
                pass


def test_no_key_is_found_anywhere_after_composer_runs(canary, alice, caplog, capfd):
    _debug_logs(caplog)
    url, proxy_key = canary
    cookie = _session_cookie(alice)
    asyncio.run(_drive_composer(url, cookie))
    from playground import recording

    recording.flush_sync()
    assert Exchange.objects.filter(provider="canary", source="playground").count() >= 6

    client = Client()
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    canaries = (PROVIDER_KEY, proxy_key)
    hits = [f"page {path}" for path, body in _pages(client) for c in canaries if c.encode() in body]
    hits += [f"table {table}" for table, value in _database_dump() for c in canaries if c in value]
    hits += _log_hits(caplog, canaries)
    out, err = capfd.readouterr()
    hits += [f"stdout/stderr {c[:16]}" for c in canaries if c in out or c in err]
    assert hits == [], hits


# -- an upstream that echoes the provider key ---------------------------------------------------


def _echo(key: str, request: dict, error: bool) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """What a careless gateway answers: the caller's key in its headers and its body."""
    headers = [(b"x-echo-key", key.encode()), (b"request-id", f"req_{key}".encode()),
               (b"www-authenticate", f'Bearer realm="{key}"'.encode())]
    if error:
        body = {"type": "error", "error": {"type": "authentication_error", "message": f"invalid x-api-key: {key}"}}
        return 401, [(b"content-type", b"application/json"), *headers], json.dumps(body).encode()
    message = {"id": f"msg_{key}", "type": "message", "role": "assistant", "model": request.get("model", "echo-1"),
               "content": [{"type": "text", "text": f"You sent the key {key}."}], "stop_reason": "end_turn",
               "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 7}}
    if not request.get("stream"):
        return 200, [(b"content-type", b"application/json"), *headers], json.dumps(message).encode()
    body = b"".join(encode_event(name, data) for name, data in message_to_events(message))
    return 200, [(b"content-type", b"text/event-stream"), *headers], body


async def echo_app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    body, more = b"", True
    while more:
        message = await receive()
        body, more = body + message.get("body", b""), message.get("more_body", False)
    key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = {}
    status, response_headers, payload = _echo(key, request if isinstance(request, dict) else {},
                                              headers.get("x-sim-echo") == "error")
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": payload})


@pytest.fixture
def echo(app_url, alice):
    server = ServerThread(echo_app)
    base_url = server.start()
    team = ensure_team("acme")
    save_provider("echo", base_url=base_url, model_patterns=["echo-*"],
                  api_key=PROVIDER_KEY, allow_private_network=True, team=team)
    _key, raw = create_key(team, "echo", provider="echo", created_by=alice)
    yield app_url, raw
    server.stop()


ECHO_BODY = {"model": "echo-1", "max_tokens": 50, "messages": [{"role": "user", "content": "Say my key."}]}


def _drive_echo_proxy(url: str, key: str) -> list[str]:
    """Calls through the proxy; returns what its clients were answered (status, headers, body)."""
    answers = []
    with httpx.Client(base_url=url, timeout=30, headers={"x-api-key": key}) as client:
        for body, extra in ((ECHO_BODY, {}), ({**ECHO_BODY, "stream": True}, {}), (ECHO_BODY, {"x-sim-echo": "error"})):
            response = client.post("/v1/messages", json=body, headers=extra)
            answers.append(f"{response.status_code} {json.dumps(dict(response.headers))} {response.text}")
    return answers


async def _drive_echo_composer(url: str, cookie: str) -> list[str]:
    """Runs from the run socket; returns every frame the page was sent."""
    port = url.rsplit(":", 1)[1]
    frames = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/runs/", max_size=None, additional_headers={
        "Cookie": f"sessionid={cookie}", "Origin": f"http://127.0.0.1:{port}"}) as ws:
        for run_id, headers in (("echo-ok", {}), ("echo-error", {"x-sim-echo": "error"})):
            await ws.send(json.dumps({"action": "run", "run_id": run_id, "request": ECHO_BODY,
                                      "provider": "echo", "headers": headers}))
            async with asyncio.timeout(60):
                while True:
                    frames.append(await ws.recv())
                    if json.loads(frames[-1])["type"] in ("run.finished", "run.rejected"):
                        break
    return frames


def test_a_provider_key_the_upstream_echoes_is_scrubbed_from_everything(echo, alice, caplog, capfd):
    _debug_logs(caplog)
    url, proxy_key = echo
    canaries = (PROVIDER_KEY, proxy_key)
    _drive_echo_proxy(url, proxy_key)
    frames = asyncio.run(_drive_echo_composer(url, _session_cookie(alice)))
    assert any('"outcome": "completed"' in f or '"outcome":"completed"' in f for f in frames), frames[-1][:500]

    client = Client()
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    echoed = Exchange.objects.filter(provider="echo", source="proxy", outcome="completed").order_by("id").first()
    assert client.post(f"/exchanges/{echoed.public_id}/replay/", {"model": ""}).status_code < 500
    from playground import recording

    recording.flush_sync()
    assert Exchange.objects.filter(provider="echo").count() >= 6
    # The upstream did echo it, so the sweep below is not vacuous.
    assert Exchange.objects.filter(provider="echo").exclude(response_headers=[]).exists()

    hits = [f"run frame {json.loads(f)['type']}" for f in frames for c in canaries if c in f]
    hits += [f"page {path}" for path, body in _pages(client) for c in canaries if c.encode() in body]
    hits += [f"table {table}" for table, value in _database_dump() for c in canaries if c in value]
    hits += _log_hits(caplog, canaries)
    out, err = capfd.readouterr()
    hits += [f"stdout/stderr {c[:16]}" for c in canaries if c in out or c in err]
    assert hits == [], hits


def test_the_proxy_does_not_hand_an_echoed_provider_key_to_its_client(echo):
    url, proxy_key = echo
    answers = _drive_echo_proxy(url, proxy_key)
    assert [n for n, answer in enumerate(answers) if PROVIDER_KEY in answer] == []
