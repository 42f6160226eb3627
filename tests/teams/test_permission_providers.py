"""Provider credentials belong to a team: its owners manage them, members and viewers read
the list without URLs or actions, another team finds nothing, and the URL guard's
private-network switch stays staff's. Keys are never rendered and are stored encrypted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from playground import providers
from playground.providers.models import Provider
from playground.providers.ops import save_provider
from playground.teams.ops import ensure_team
from tests.teams.objects import make_acme_objects
from tests.teams.test_permission_matrix import PROVIDER_FORM

SECRET = "sk-acme-secret"


@pytest.fixture
def world(alice, bob, victor):
    objects = make_acme_objects(alice)
    save_provider("shared-gw", base_url="https://shared.example.com", model_patterns=["shared-*"], api_key="sk-shared")
    return {"alice": alice, "bob": bob, "victor": victor, "objects": objects}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**changes) -> dict:
    return {**PROVIDER_FORM, "name": "acme-gw", "base_url": "https://gw.acme.example", **changes}


def test_an_owner_adds_a_provider_to_her_team_with_an_encrypted_key(world):
    globex = ensure_team("globex")
    response = _client(world["alice"]).post("/providers/new/", _form(api_key="sk-acme-new", team=str(globex.pk)))
    assert response.status_code == 302
    row = Provider.objects.get(name="acme-gw")
    assert row.team == ensure_team("acme"), "an owner's provider is always in her team"
    assert not row.allow_private_network
    assert row.api_key_encrypted and "sk-acme-new" not in row.api_key_encrypted
    assert providers.get("acme-gw", team=row.team).api_key == "sk-acme-new"
    listing = _client(world["alice"]).get(response["Location"]).content.decode()
    assert "acme-gw" in listing and "sk-acme-new" not in listing and row.api_key_encrypted not in listing


def test_the_private_network_switch_stays_staffs(world):
    alice = _client(world["alice"])
    response = alice.post("/providers/new/", _form(base_url="http://127.0.0.1:8080", allow_private_network="on"))
    assert response.status_code == 200 and 'data-testid="error-base_url"' in response.content.decode()
    assert not Provider.objects.filter(name="acme-gw").exists()
    assert 'name="allow_private_network"' not in alice.get("/providers/new/").content.decode()
    verdict = alice.post("/providers/check-url/", {"base_url": "http://127.0.0.1:8080", "allow_private_network": "on"},
                         headers={"HX-Request": "true"})
    assert b"Refused:" in verdict.content
    # acme-private reaches 127.0.0.1 because staff allowed it: its owner cannot repoint it.
    response = alice.post("/providers/acme-private/", {**PROVIDER_FORM, "base_url": "http://10.0.0.5:80",
                                                        "allow_private_network": "on", "model_patterns": "acme-*"})
    assert response.status_code == 302
    row = Provider.objects.get(name="acme-private")
    assert (row.base_url, row.allow_private_network, row.model_patterns) == ("http://127.0.0.1:9", True, "acme-*")
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "root-password")
    assert b"Allowed:" in _client(staff).post(
        "/providers/check-url/", {"base_url": "http://127.0.0.1:8080", "allow_private_network": "on"}).content


def test_an_owner_reads_shared_providers_but_cannot_change_them(world):
    alice = _client(world["alice"])
    listing = alice.get("/providers/").content.decode()
    assert "shared-gw" in listing and "shared.example.com" not in listing
    assert 'href="/providers/shared-gw/"' not in listing
    assert alice.get("/providers/shared-gw/").status_code == 403
    assert alice.post("/providers/shared-gw/key/", {"api_key": "sk-stolen"}).status_code == 403
    assert providers.get("shared-gw").api_key == "sk-shared"
    assert alice.get("/providers/simulator/").status_code == 403


def test_members_and_viewers_read_the_list_without_urls_keys_or_actions(world, alice):
    from tests.sharing.conftest import _member

    dave = _member("dave", "acme", "member")
    for user in (world["victor"], dave):
        client = _client(user)
        listing = client.get("/providers/").content.decode()
        assert "acme-private" in listing and "shared-gw" in listing
        assert "127.0.0.1:9" not in listing and SECRET not in listing
        assert 'data-testid="edit"' not in listing and 'data-testid="add-provider"' not in listing
        assert client.get("/providers/new/").status_code == 403
        assert client.get("/providers/acme-private/key/").status_code == 403


def test_another_team_sees_none_of_acmes_providers(world):
    bob = _client(world["bob"])
    listing = bob.get("/providers/").content.decode()
    assert "acme-private" not in listing and "shared-gw" in listing
    for url in ("/providers/acme-private/", "/providers/acme-private/key/"):
        assert bob.get(url).status_code == 404
    assert bob.post("/providers/new/", _form(name="acme-private")).status_code == 200  # the name is taken
    assert Provider.objects.get(name="acme-private").team == ensure_team("acme")


def test_no_provider_page_renders_a_key(world):
    row = Provider.objects.get(name="acme-private")
    for url in ("/providers/", "/providers/acme-private/", "/providers/acme-private/key/", "/providers/new/"):
        html = _client(world["alice"]).get(url).content.decode()
        assert SECRET not in html and row.api_key_encrypted not in html, url


class _Models(BaseHTTPRequestHandler):
    """`GET /v1/models` that accepts one key and echoes any other in its error, as a
    careless gateway might."""

    seen: list[dict] = []

    def do_GET(self) -> None:  # noqa: N802 (the handler's name is http.server's)
        key = self.headers.get("x-api-key", "")
        type(self).seen.append({"path": self.path, "key": key})
        if key == SECRET:
            status, body = 200, {"data": [{"id": "acme-model", "type": "model"}], "has_more": False}
        else:
            status, body = 401, {"type": "error", "error": {"type": "authentication_error",
                                                            "message": f"invalid x-api-key {key}"}}
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def models_server():
    _Models.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _point_acme_private_at(server, api_key: str) -> None:
    # Staff's settings: a team provider allowed to reach a loopback address.
    save_provider("acme-private", base_url=f"http://127.0.0.1:{server.server_port}", model_patterns=["acme-model"],
                  api_key=api_key, allow_private_network=True, team=ensure_team("acme"))


def test_an_owner_tests_her_teams_provider_over_the_network(world, models_server):
    _point_acme_private_at(models_server, SECRET)
    response = _client(world["alice"]).post("/providers/acme-private/test/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Works: HTTP 200" in html and SECRET not in html
    assert _Models.seen == [{"path": "/v1/models?limit=1", "key": SECRET}]


def test_a_refused_key_is_reported_without_the_key(world, models_server):
    _point_acme_private_at(models_server, "gw-wrong-key-0000")
    html = _client(world["alice"]).post("/providers/acme-private/test/").content.decode()
    assert "Failed: HTTP 401" in html and "authentication_error" in html
    assert "gw-wrong-key-0000" not in html and "[redacted]" in html


def test_an_unreachable_provider_is_a_clear_failure(world):
    html = _client(world["alice"]).post("/providers/acme-private/test/").content.decode()  # 127.0.0.1:9
    assert "Failed: provider acme-private: could not connect" in html


def test_only_the_owner_or_staff_tests_a_provider(world, models_server):
    _point_acme_private_at(models_server, SECRET)
    assert _client(world["victor"]).post("/providers/acme-private/test/").status_code == 403
    assert _client(world["bob"]).post("/providers/acme-private/test/").status_code == 404
    assert _client(world["alice"]).post("/providers/shared-gw/test/").status_code == 403
    assert _client(world["alice"]).get("/providers/acme-private/test/").status_code == 405
    assert _Models.seen == []
