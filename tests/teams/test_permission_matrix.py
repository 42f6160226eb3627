"""Every door to every object of acme, for four personas.

alice owns acme; bob owns globex and must find nothing of acme (404, the same as an
unknown id); victor views acme (reads, and 403 on every write); an anonymous visitor is
sent to sign in (pages) or refused in the API's error shape (JSON endpoints). The
WebSocket doors are in test_permission_sockets.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.test import Client

from playground.composer.models import WorkingCopy
from playground.providers.models import Provider
from playground.proxy.models import ProxyKey
from tests.teams.objects import make_acme_objects

HX = {"HTTP_HX_REQUEST": "true"}
READ = {"alice": 200, "victor": 200, "bob": 404, "anon": "login"}
WRITE = {"alice": 302, "victor": 403, "bob": 404, "anon": "login"}
API_WRITE = {"alice": 200, "victor": 403, "bob": 404, "anon": 401}
STATE = {"request": {"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
         "provider": None, "headers": {}, "mocks": {}}
PROVIDER_FORM = {
    "name": "acme-private", "base_url": "http://127.0.0.1:9", "auth_style": "x-api-key", "api_key": "",
    "model_patterns": "acme-model", "extra_headers": "{}", "enabled": "on", "anthropic_version": "2023-06-01",
    "connect_timeout": "10", "first_byte_timeout": "600", "idle_timeout": "300",
}


@dataclass
class Door:
    name: str
    method: str
    url: str  # formatted with the acme objects: {ex}, {thread}, {key}, {blob}, {saved}, {copy}, {provider}
    expect: dict
    data: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    json: bool = False


DOORS = [
    # Exchange: page, htmx partials, exports, raw downloads, media, diff.
    Door("exchange page", "get", "/exchanges/{ex}/", READ),
    Door("exchange tab partial", "get", "/exchanges/{ex}/?tab=request", READ, headers=HX),
    Door("exchange headers partial", "get", "/exchanges/{ex}/?tab=headers", READ, headers=HX),
    Door("exchange timeline gaps partial", "get", "/exchanges/{ex}/?tab=timeline&part=gaps", READ, headers=HX),
    Door("exchange list row partial", "get", "/exchanges/{ex}/row/", READ, headers=HX),
    Door("code export curl", "get", "/exchanges/{ex}/code/curl/", READ),
    Door("code export python", "get", "/exchanges/{ex}/code/python/", READ),
    Door("raw request download", "get", "/exchanges/{ex}/raw/request.json", READ),
    Door("raw response download", "get", "/exchanges/{ex}/raw/response.json", READ),
    Door("raw stream download", "get", "/exchanges/{ex}/raw/response.sse", READ),
    Door("media", "get", "/exchanges/{ex}/media/{blob}/", READ),
    Door("diff", "get", "/exchanges/diff/?a={ex}&b={ex}", READ),
    # Thread.
    Door("thread page", "get", "/exchanges/threads/{thread}/", READ),
    Door("thread export jsonl", "get", "/exchanges/threads/{thread}/export.jsonl", READ),
    Door("thread export html", "get", "/exchanges/threads/{thread}/export.html", READ),
    Door("exchange list export", "get", "/exchanges/export.jsonl", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    # Writes on acme objects.
    # alice's replay runs and records from another thread: test_permission_sockets.py has it.
    Door("replay", "post", "/exchanges/{ex}/replay/", {"victor": 403, "bob": 404, "anon": "login"}),
    Door("proxy key revoke", "post", "/proxy/keys/{key}/revoke/", {"alice": 302, "victor": 403, "bob": 404, "anon": "login"}),
    Door("proxy key revoke (htmx)", "post", "/proxy/keys/{key}/revoke/",
         {"alice": 200, "victor": 403, "bob": 404, "anon": "login"}, headers=HX),
    Door("proxy key mode", "post", "/proxy/keys/{key}/mode/",
         {"alice": 302, "victor": 403, "bob": 404, "anon": "login"}, data={"mode": "replay"}),
    # Writes in the caller's own team: bob writes in globex, which is his to change.
    Door("proxy key create", "post", "/proxy/keys/", {"alice": 200, "victor": 403, "bob": 200, "anon": "login"},
         data={"name": "another"}),
    Door("new working copy", "post", "/copies", {"alice": 201, "victor": 403, "bob": 201, "anon": 401},
         data={"title": "new"}, json=True),
    Door("working copies list", "get", "/copies", {"alice": 200, "victor": 200, "bob": 200, "anon": 401}, json=True),
    Door("import", "post", "/import", {"alice": 200, "victor": 403, "bob": 200, "anon": 401},
         data={"text": '{"model": "sim-1", "max_tokens": 5, "messages": []}'}, json=True),
    # Reads that compute only.
    Door("validate", "post", "/validate", {"alice": 200, "victor": 200, "bob": 200, "anon": 401},
         data={"model": "sim-1", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}, json=True),
    Door("composer code", "post", "/code", {"alice": 200, "victor": 200, "bob": 200, "anon": 401},
         data={"request": {"model": "sim-1"}, "headers": {}}, json=True),
    # Working copy (alice's draft in acme): every write, in the API's error shape.
    Door("working copy autosave", "post", "/copies/{copy}/state", API_WRITE, data=STATE, json=True),
    Door("working copy rename", "post", "/copies/{copy}/title", API_WRITE, data={"title": "renamed"}, json=True),
    Door("working copy save to library", "post", "/copies/{copy}/save", API_WRITE,
         data={"state": STATE, "name": "from the copy"}, json=True),
    Door("working copy close", "post", "/copies/{copy}/close", API_WRITE, json=True),
    # Saved request: page, versions, exports, diff, and every write.
    Door("saved request page", "get", "/library/{saved}/", READ),
    Door("saved request version", "get", "/library/{saved}/versions/1/", READ),
    Door("saved request version export", "get", "/library/{saved}/versions/1/state.json", READ),
    Door("saved request export", "get", "/library/{saved}/export", READ),
    Door("saved request diff", "get", "/library/{saved}/diff?a=1&b=1", READ),
    Door("saved request edit", "post", "/library/{saved}/edit", WRITE, data={"name": "renamed"}),
    Door("saved request restore", "post", "/library/{saved}/restore", WRITE, data={"version": "1"}),
    Door("saved request fork", "post", "/library/{saved}/fork", WRITE, data={"version": "1"}),
    Door("saved request delete", "post", "/library/{saved}/delete", WRITE, data={"confirm": "yes"}),
    Door("library new", "post", "/library/new", {"alice": 302, "victor": 403, "bob": 302, "anon": "login"},
         data={"name": "n", "state": '{"request": {"model": "sim-1", "max_tokens": 5, "messages": []}}'}),
    Door("library import", "post", "/library/import", {"victor": 403, "anon": "login"}),
    Door("library page", "get", "/library/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("library search partial", "get", "/library/?q=acme", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"},
         headers=HX),
    Door("library collection export", "get", "/library/export",
         {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    # Provider credentials: a team's owners manage the team's own (keys write-only, the
    # private-network switch staff's: test_permission_providers.py); members read the list.
    Door("provider list", "get", "/providers/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("provider edit page", "get", "/providers/{provider}/", {"alice": 200, "victor": 403, "bob": 404, "anon": "login"}),
    Door("provider edit", "post", "/providers/{provider}/", {"alice": 302, "victor": 403, "bob": 404, "anon": "login"},
         data=PROVIDER_FORM),
    Door("provider key page", "get", "/providers/{provider}/key/", {"alice": 200, "victor": 403, "bob": 404, "anon": "login"}),
    Door("provider key rotation", "post", "/providers/{provider}/key/", {"alice": 302, "victor": 403, "bob": 404, "anon": "login"},
         data={"api_key": "sk-new"}),
    Door("provider test", "post", "/providers/{provider}/test/", {"alice": 200, "victor": 403, "bob": 404, "anon": "login"}),
    Door("provider new", "post", "/providers/new/", {"alice": 302, "victor": 403, "bob": 302, "anon": "login"},
         data={**PROVIDER_FORM, "name": "team-gw", "base_url": "https://gw.example.com"}),
    Door("provider url check", "post", "/providers/check-url/", {"alice": 200, "victor": 403, "bob": 200, "anon": "login"},
         data={"base_url": "https://gw.example.com"}, headers=HX),
    # Pages of the team.
    Door("playground page", "get", "/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("exchange list", "get", "/exchanges/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("thread list", "get", "/exchanges/threads/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("proxy page", "get", "/proxy/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
    Door("proxy tail partial", "get", "/proxy/tail/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"},
         headers=HX),
    Door("members page", "get", "/teams/", {"alice": 200, "victor": 200, "bob": 200, "anon": "login"}),
]

PERSONAS = ["alice", "bob", "victor", "anon"]


@pytest.fixture
def world(alice, bob, victor):
    objects = make_acme_objects(alice)
    return {"alice": alice, "bob": bob, "victor": victor, "objects": objects}


def client_for(world, persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(world[persona])
    return client


@dataclass
class Unknown:
    """Ids of nothing at all, shaped like acme's."""

    exchange_id: str = "N0tAnExchangeAtA11xyzQ"
    thread_id: str = "N0tAThreadAtA11xyzabcQ"
    key_id: int = 987654
    blob_sha: str = "0" * 64
    saved_id: str = "N0tASavedRequestA11xyQ"
    copy_id: str = "N0tAWorkingCopyA11xyzQ"
    provider: str = "no-such-provider"


def _plain(content: bytes, *ids: str) -> bytes:
    """The page without what differs between two renders (the masked CSRF token, the CSP
    nonce) and with the ids the caller typed (a form echoes them) replaced."""
    text = re.sub(
        rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value="|"request_id": "|name="csp-nonce" content=")[^"]*',
        rb"\1", content,
    )
    for value in ids:
        text = text.replace(value.encode(), b"ID")
    return text


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def call(client: Client, door: Door, objects):
    exchange_id = objects.exchange_id if isinstance(objects, Unknown) else objects.exchange.public_id
    url = door.url.format(ex=exchange_id, thread=objects.thread_id, key=objects.key_id, blob=objects.blob_sha,
                          saved=objects.saved_id, copy=objects.copy_id, provider=objects.provider)
    if door.method == "get":
        return client.get(url, **door.headers)
    if door.json:
        return client.post(url, data=door.data, content_type="application/json", **door.headers)
    return client.post(url, data=door.data, **door.headers)


CASES = [(door, persona) for door in DOORS for persona in PERSONAS if persona in door.expect]


@pytest.mark.parametrize(("door", "persona"), CASES, ids=[f"{d.name}-{p}" for d, p in CASES])
def test_it_opens_each_door_only_to_whom_it_should(world, door, persona):
    response = call(client_for(world, persona), door, world["objects"])
    expected = door.expect[persona]
    if expected == "login":
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith("/accounts/login/?next=")
        return
    assert response.status_code == expected, response.content[:300]
    if door.json and expected >= 400:
        error = response.json()["error"]
        assert error["type"] == {401: "authentication_error", 403: "permission_error", 404: "not_found_error"}[expected]
    if expected == 404:
        # The same answer as for ids of nothing at all: nothing tells acme's object exists.
        unknown = call(client_for(world, persona), door, Unknown())
        assert unknown.status_code == 404
        objects = world["objects"]
        assert _plain(body(response), objects.exchange.public_id, objects.thread_id, objects.saved_id,
                      objects.provider) == _plain(
            body(unknown), Unknown.exchange_id, Unknown.thread_id, Unknown.saved_id, Unknown.provider
        )
        assert b"acme" not in body(response)


def test_it_changes_nothing_when_a_write_is_refused(world):
    objects = world["objects"]
    for persona in ("bob", "victor", "anon"):
        client = client_for(world, persona)
        client.post(f"/proxy/keys/{objects.key_id}/revoke/")
        client.post(f"/proxy/keys/{objects.key_id}/mode/", {"mode": "replay"})
    key = ProxyKey.objects.get(pk=objects.key_id)
    assert key.revoked_at is None and key.mode == ProxyKey.MODE_RECORD
    client_for(world, "victor").post("/proxy/keys/", {"name": "viewer-key"})
    assert not ProxyKey.objects.filter(name="viewer-key").exists()
    for persona in ("bob", "victor", "anon"):
        client = client_for(world, persona)
        client.post(f"/copies/{objects.copy_id}/state", STATE, content_type="application/json")
        client.post(f"/copies/{objects.copy_id}/close", content_type="application/json")
        client.post("/copies", {"title": "viewer copy"}, content_type="application/json")
    copy = WorkingCopy.objects.get(public_id=objects.copy_id)  # not closed (deleted)
    assert copy.title == "acme working copy" and copy.state["request"]["max_tokens"] != 5
    assert not WorkingCopy.objects.filter(user=world["victor"]).exists()
    stored = Provider.objects.get(name=objects.provider).api_key_encrypted
    for persona in ("bob", "victor", "anon"):
        client_for(world, persona).post(f"/providers/{objects.provider}/key/", {"api_key": "sk-new"})
        client_for(world, persona).post(f"/providers/{objects.provider}/", {**PROVIDER_FORM, "enabled": ""})
    assert Provider.objects.get(name=objects.provider).api_key_encrypted == stored
    assert Provider.objects.get(name=objects.provider).enabled
    client_for(world, "victor").post("/providers/new/", {**PROVIDER_FORM, "name": "viewer-gw"})
    assert not Provider.objects.filter(name="viewer-gw").exists()


def test_it_lists_acme_rows_only_to_acme(world):
    objects = world["objects"]
    for persona, sees in (("alice", True), ("victor", True), ("bob", False)):
        client = client_for(world, persona)
        assert (objects.exchange.public_id in client.get("/exchanges/").content.decode()) is sees, persona
        assert (objects.thread_id in client.get("/exchanges/threads/").content.decode()) is sees, persona
        assert ("acme-ci" in client.get("/proxy/").content.decode()) is sees, persona
        assert ("acme weather loop" in client.get("/library/").content.decode()) is sees, persona
        assert ("acme weather loop" in client.get("/library/export").content.decode()) is sees, persona
        exported = body(client.get("/exchanges/export.jsonl")).decode()
        assert (objects.exchange.public_id in exported) is sees, persona


def test_it_keeps_another_teams_exchange_out_of_the_composer(world):
    objects = world["objects"]
    html = client_for(world, "bob").get(f"/?exchange={objects.exchange.public_id}").content.decode()
    assert "belongs to another team" in html
    assert "What is this?" not in html
    html = client_for(world, "alice").get(f"/?exchange={objects.exchange.public_id}").content.decode()
    assert "What is this?" in html


def test_it_offers_a_teams_provider_to_that_team_only(world):
    # The provider's credential is write-only: never on a page, for anyone.
    for persona, sees in (("alice", True), ("victor", True), ("bob", False)):
        html = client_for(world, persona).get("/").content.decode()
        assert ("acme-private" in html) is sees, persona
        assert "sk-acme-secret" not in html


def test_it_keeps_provider_credentials_in_the_admin_for_staff_only(world):
    # alice owns acme but is not staff: the admin's provider pages send her to its login.
    response = client_for(world, "alice").get("/admin/providers/provider/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_shows_a_viewer_disabled_write_buttons(world):
    objects = world["objects"]
    for persona, disabled in (("alice", False), ("victor", True)):
        client = client_for(world, persona)
        pages = (
            client.get("/").content.decode(),
            client.get(f"/exchanges/{objects.exchange.public_id}/").content.decode(),
            client.get("/proxy/").content.decode(),
        )
        marks = ('title="Viewers cannot run requests" disabled', 'title="Viewers cannot replay"',
                 'title="Viewers cannot create keys"')
        for html, mark in zip(pages, marks, strict=True):
            assert (mark in html) is disabled, (persona, mark)
