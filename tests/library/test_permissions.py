"""Every door of the library: another team's request is a 404, a viewer's write a 403,
an anonymous visitor is sent to sign in."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.library import files
from playground.library.models import SavedRequest, Version
from tests.library.conftest import sample_state

READS = ["/", "diff?a=1&b=1", "versions/1/", "versions/1/state.json", "export"]
WRITES = [
    ("edit", {"name": "x", "tags": ""}),
    ("delete", {"confirm": "yes"}),
    ("restore", {"version": "1"}),
    ("fork", {"version": "1"}),
    ("versions/new", {"state": "{}", "base": "1"}),
]


@pytest.mark.parametrize("door", READS)
def test_it_hides_another_teams_request_behind_a_404(client, saved, bob, door):
    client.force_login(bob)
    url = saved.get_absolute_url() + door.lstrip("/")
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize(("door", "data"), WRITES)
def test_it_refuses_writes_to_another_teams_request(client, saved, bob, door, data):
    client.force_login(bob)
    assert client.post(saved.get_absolute_url() + door, data).status_code == 404
    saved.refresh_from_db()
    assert saved.name == "Weather loop" and Version.objects.filter(saved_request=saved).count() == 1


def test_it_leaves_other_teams_requests_out_of_search_and_export(client, saved, bob):
    client.force_login(bob)
    assert client.get("/library/").context["page"].rows == []
    assert client.get("/library/", {"q": "forecaster"}).context["page"].rows == []
    assert json.loads(client.get("/library/export").content)["requests"] == []


@pytest.mark.parametrize("door", ["zzz", "a" * 300, "%00", "..%2F"])
def test_it_answers_malformed_ids_with_a_404(client, alice, door):
    client.force_login(alice)
    assert client.get(f"/library/{door}/").status_code == 404


def test_it_lets_a_viewer_read_everything(client, saved, viewer):
    client.force_login(viewer)
    for door in READS:
        assert client.get(saved.get_absolute_url() + door.lstrip("/")).status_code == 200
    page = client.get(saved.get_absolute_url())
    assert b"Restore</button>" not in page.content and b"Edit details" not in page.content


@pytest.mark.parametrize(("door", "data"), WRITES)
def test_it_refuses_a_viewers_writes_with_403(client, saved, viewer, door, data):
    client.force_login(viewer)
    assert client.post(saved.get_absolute_url() + door, data).status_code == 403
    assert SavedRequest.objects.count() == 1 and Version.objects.count() == 1


def test_it_refuses_a_viewers_new_request_and_import(client, saved, viewer):
    client.force_login(viewer)
    assert client.post("/library/new", {"name": "x", "state": json.dumps(sample_state())}).status_code == 403
    upload = SimpleUploadedFile("r.json", files.export_text([saved]).encode())
    assert client.post("/library/import", {"file": upload}).status_code == 403
    assert SavedRequest.objects.count() == 1


@pytest.mark.parametrize("url", ["/library/", "/library/new", "/library/import", "/library/export"])
def test_it_sends_anonymous_visitors_to_sign_in(client, saved, settings, url):
    settings.AUTO_LOGIN_USER = None
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    assert client.get(saved.get_absolute_url()).status_code == 302
    assert client.post(saved.get_absolute_url() + "delete", {"confirm": "yes"}).status_code == 302
    assert SavedRequest.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize("number", ["99999999999999999999999", "0", "-1", "1e3", "2147483648"])
def test_it_answers_impossible_version_numbers_with_404_or_400(client, saved, alice, number):
    client.force_login(alice)
    assert client.post(saved.get_absolute_url() + "restore", {"version": number}).status_code == 404
    assert client.post(saved.get_absolute_url() + "fork", {"version": number}).status_code == 404
    assert client.get(saved.get_absolute_url() + "diff", {"a": number, "b": "1"}).status_code == 400
    assert Version.objects.count() == 1
