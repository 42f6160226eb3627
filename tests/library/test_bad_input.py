"""Markup, script, control characters and very long strings: stored exactly, shown inert;
a request at the proxy's 32 MB limit saves and its pages stay small."""

from __future__ import annotations

import json

import pytest

from playground.library import ops
from playground.library.models import SavedRequest
from tests.library.conftest import sample_state

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>\x07\x1b[2J\u202e'


@pytest.fixture
def hostile(acme, alice):
    state = sample_state()
    state["notes"] = HOSTILE
    state["variables"]["sets"][0]["values"]["city"] = HOSTILE
    state["request"]["tools"][0]["name"] = "<b>tool</b>"
    return ops.create_saved_request(
        acme, alice, HOSTILE, state, description=HOSTILE, tags=[HOSTILE], message=HOSTILE
    )


def test_it_stores_hostile_text_exactly(hostile):
    saved = SavedRequest.objects.get(pk=hostile.pk)
    assert saved.name == HOSTILE and saved.description == HOSTILE and saved.tags == [HOSTILE.strip()]
    version = saved.versions.get()
    assert version.message == HOSTILE and version.state["notes"] == HOSTILE


@pytest.mark.parametrize("door", ["/library/", "{url}", "{url}versions/1/", "{url}diff?a=1&b=1"])
def test_it_renders_hostile_text_inert_on_every_page(client, alice, hostile, door):
    client.force_login(alice)
    url = door.format(url=hostile.get_absolute_url())
    response = client.get(url, {"q": HOSTILE[:20]} if door == "/library/" else {})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in content and "<img src=x" not in content and "<b>tool</b>" not in content
    assert "&lt;script&gt;" in content or "&lt;img" in content


def test_it_keeps_hostile_text_exact_in_an_export(client, alice, hostile):
    client.force_login(alice)
    document = json.loads(client.get(hostile.get_absolute_url() + "export").content)
    entry = document["requests"][0]
    assert entry["name"] == HOSTILE and entry["versions"][0]["state"]["notes"] == HOSTILE


def test_it_shows_very_long_names_cut_in_lists_and_whole_in_the_file(client, acme, alice):
    name = "n" * 500
    saved = ops.create_saved_request(acme, alice, name, sample_state(), description="d" * 20_000)
    client.force_login(alice)
    page = client.get("/library/").content.decode()
    assert name not in page and "d" * 20_000 not in page
    assert ">" + "n" * 119 + "…</a>" in page
    assert json.loads(client.get(saved.get_absolute_url() + "export").content)["requests"][0]["name"] == name


def test_it_saves_and_renders_a_request_at_the_32_mb_limit(client, acme, alice, settings):
    text = "lorem ipsum " * ((settings.MAX_REQUEST_BYTES - 4000) // 12)
    state = sample_state(text)
    saved = ops.create_saved_request(acme, alice, "huge", state)
    ops.save_version(saved, alice, sample_state(text + "changed"))
    client.force_login(alice)
    for door in ("", "versions/2/", "diff?a=1&b=2"):
        response = client.get(saved.get_absolute_url() + door)
        assert response.status_code == 200
        assert len(response.content) < 2_000_000, door
    raw = client.get(saved.get_absolute_url() + "versions/2/state.json")
    assert json.loads(raw.content)["request"]["messages"][0]["content"][0]["text"].endswith("changed")
