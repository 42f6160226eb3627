"""The library pages: search, history, diff, restore, fork, edit, delete, files."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.library import files, ops
from playground.library.models import SavedRequest
from tests.library.conftest import sample_state


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def _names(response) -> list[str]:
    return [r.name for r in response.context["page"].rows]


def test_it_lists_the_teams_requests_most_recently_used_first(signed_in, acme, alice, saved):
    other = ops.create_saved_request(acme, alice, "Older", sample_state())
    ops.record_run(saved, "ex1", saved.versions.get(), "paris", outcome="completed")
    response = signed_in.get("/library/")
    assert response.status_code == 200
    assert _names(response) == ["Weather loop", "Older"]
    assert b"badge-completed" in response.content
    assert other.get_absolute_url().encode() in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "forecaster"}, ["Weather loop"]),
        ({"q": "FORECAST"}, ["Weather loop"]),
        ({"q": "qu"}, ["Quiet"]),
        ({"q": "nothing like this"}, []),
        ({"tag": "weather"}, ["Weather loop"]),
        ({"tag": "weath"}, []),
        ({"model": "sim-2"}, ["Quiet"]),
        ({"tool": "get_weather"}, ["Weather loop"]),
        ({"author": "alice"}, ["Quiet", "Weather loop"]),
        ({"author": "nobody"}, []),
        ({"sort": "name"}, ["Quiet", "Weather loop"]),
    ],
)
def test_it_searches_by_text_tag_model_tool_and_author(signed_in, acme, alice, saved, params, expected):
    quiet = sample_state("a quiet request")
    quiet["request"]["model"] = "sim-2"
    quiet["request"]["tools"] = []
    quiet["request"]["system"] = ""
    ops.create_saved_request(acme, alice, "Quiet", quiet, tags=["misc"])
    if "sort" not in params and "author" in params:
        params = {**params, "sort": "name"}
    assert _names(signed_in.get("/library/", params)) == expected


def test_it_pages_through_results(signed_in, acme, alice, monkeypatch):
    monkeypatch.setattr("playground.library.search.PAGE_SIZE", 2)
    for i in range(5):
        ops.create_saved_request(acme, alice, f"r{i}", sample_state())
    first = signed_in.get("/library/", {"sort": "name"})
    assert _names(first) == ["r0", "r1"] and b'rel="prev"' not in first.content
    second = signed_in.get(_link(first, "next"))
    assert _names(second) == ["r2", "r3"] and b'rel="prev"' in second.content
    last = signed_in.get(_link(second, "next"))
    assert _names(last) == ["r4"] and b'rel="next"' not in last.content
    assert _names(signed_in.get(_link(last, "prev"))) == ["r2", "r3"]
    assert _names(signed_in.get(_link(last, "first"))) == ["r0", "r1"]


def _link(response, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    assert found, rel
    return "/library/" + html.unescape(found.group(1))


@pytest.mark.parametrize(
    "params",
    [{"cursor": "x"}, {"before": "2026-02-30T00:00:00+00:00~1"}, {"cursor": "2026-01-01T00:00:00+00:00~" + "9" * 30},
     {"sort": "<script>"}, {"q": "a\x00b"}, {"q": "x" * 5000}, {"tag": "\u202e<b>"}, {"model": "%_\\"},
     {"sort": "name", "cursor": "a\x00~1"}, {"page": "3"}],
)
def test_it_ignores_unusable_query_parameters_with_a_message(signed_in, saved, params):
    response = signed_in.get("/library/", params)
    assert response.status_code == 200
    if {"cursor", "before"} & set(params):
        assert _names(response) == ["Weather loop"], "a bad cursor shows the first page"
    if {"cursor", "before", "sort"} & set(params):
        assert response.context["notes"]
        assert b"<script>" not in response.content


def test_it_survives_undecodable_query_bytes(signed_in, saved):
    response = signed_in.get("/library/?tag=%ED%A0%80&q=%FF%FE&page=%00")
    assert response.status_code == 200


def test_it_answers_the_search_as_a_partial_for_htmx(signed_in, saved):
    response = signed_in.get("/library/", {"q": "forecaster"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="library-results")
    assert b"Weather loop" in response.content and b"<html" not in response.content


def test_it_creates_a_saved_request_from_a_pasted_state(signed_in, acme):
    response = signed_in.post("/library/new", {
        "name": "Pasted", "tags": "a, b", "description": "d", "message": "m",
        "state": json.dumps(sample_state()),
    })
    saved = SavedRequest.objects.for_team(acme).get(name="Pasted")
    assert response.status_code == 302 and response.url == saved.get_absolute_url()
    assert saved.tags == ["a", "b"] and saved.versions.get().state == sample_state()


def test_it_shows_every_problem_of_a_pasted_state_in_the_form(signed_in):
    response = signed_in.post("/library/new", {"name": "", "state": '{"request": 1, "notes": 2}'})
    assert response.status_code == 200
    content = response.content.decode()
    assert "state.request" in content and "state.notes" in content
    response = signed_in.post("/library/new", {"name": "x", "state": "{oops"})
    assert "is not JSON" in response.content.decode()
    assert not SavedRequest.objects.exists()


def test_it_shows_the_history_and_diffs_two_versions(signed_in, saved, alice):
    ops.save_version(saved, alice, sample_state("Rainy in {{city}}?"), "rain")
    page = signed_in.get(saved.get_absolute_url())
    assert page.status_code == 200
    assert b"rain" in page.content and b"first" in page.content
    assert f"/?saved={saved.public_id}".encode() in page.content
    diff = signed_in.get(saved.get_absolute_url() + "diff", {"a": "1", "b": "2"})
    changes = diff.context["request_diff"].sections["messages"]
    assert [c.path for c in changes] == ["messages[0].content[0].text"]
    assert changes[0].after == "Rainy in {{city}}?"
    assert diff.context["request_diff"].sections["notes"] == []


def test_it_diffs_the_rest_of_the_state_too(signed_in, saved, alice):
    state = sample_state()
    state["notes"] = "new notes"
    state["variables"]["sets"][0]["values"]["city"] = "Lyon"
    ops.save_version(saved, alice, state)
    sections = signed_in.get(saved.get_absolute_url() + "diff?a=1&b=2").context["request_diff"].sections
    assert [c.path for c in sections["notes"]] == ["notes"]
    assert [c.path for c in sections["variables"]] == ["variables.sets[0].values.city"]


@pytest.mark.parametrize("query", ["?a=1&b=9", "?a=x&b=1", "?a=&b=", "?a=1%00&b=1"])
def test_it_answers_a_bad_diff_choice_with_400(signed_in, saved, query):
    response = signed_in.get(saved.get_absolute_url() + "diff" + query)
    assert response.status_code in (200, 400)
    if query != "?a=&b=":
        assert response.status_code == 400 and b"Choose two versions" in response.content


def test_it_restores_a_version_as_a_new_one(signed_in, saved, alice):
    ops.save_version(saved, alice, sample_state("two"))
    response = signed_in.post(saved.get_absolute_url() + "restore", {"version": "1"})
    assert response.status_code == 302
    latest = saved.versions.first()
    assert latest.number == 3 and latest.restored_from == 1 and latest.author == alice
    assert latest.state == saved.versions.get(number=1).state


def test_it_forks_a_version(signed_in, saved):
    response = signed_in.post(saved.get_absolute_url() + "fork", {"version": "1"})
    forked = SavedRequest.objects.exclude(pk=saved.pk).get()
    assert response.url == forked.get_absolute_url() and forked.forked_from.number == 1


def test_it_edits_details_and_shows_problems_inline(signed_in, saved):
    signed_in.post(saved.get_absolute_url() + "edit", {"name": "New name", "description": "", "tags": "x,y"})
    saved.refresh_from_db()
    assert (saved.name, saved.tags) == ("New name", ["x", "y"])
    response = signed_in.post(saved.get_absolute_url() + "edit", {"name": " ", "tags": ""})
    assert response.status_code == 200 and b"must not be empty" in response.content


def test_it_deletes_only_when_confirmed(signed_in, saved):
    signed_in.post(saved.get_absolute_url() + "delete", {})
    assert SavedRequest.objects.filter(pk=saved.pk).exists()
    response = signed_in.post(saved.get_absolute_url() + "delete", {"confirm": "yes"})
    assert response.status_code == 302 and not SavedRequest.objects.filter(pk=saved.pk).exists()


def test_it_shows_a_version_with_its_value_sets(signed_in, saved):
    response = signed_in.get(saved.get_absolute_url() + "versions/1/")
    content = response.content.decode()
    assert "{{city}}" in content and "Paris" in content and "Oslo" in content
    raw = signed_in.get(saved.get_absolute_url() + "versions/1/state.json")
    assert json.loads(raw.content) == sample_state()


def test_it_exports_a_filtered_collection_and_imports_it_back(signed_in, saved, acme, alice):
    ops.create_saved_request(acme, alice, "Untagged", sample_state())
    response = signed_in.get("/library/export", {"tag": "weather"})
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert [r["name"] for r in document["requests"]] == ["Weather loop"]
    upload = SimpleUploadedFile("requests.json", response.content, "application/json")
    imported = signed_in.post("/library/import", {"file": upload})
    assert imported.status_code == 302
    assert SavedRequest.objects.for_team(acme).filter(name="Weather loop").count() == 2


def test_it_lists_every_problem_of_an_uploaded_file(signed_in, acme):
    bad = json.dumps({"format": "other", "version": 1, "requests": [{"name": "x", "versions": [{"state": []}]}]})
    response = signed_in.post("/library/import", {"file": SimpleUploadedFile("bad.json", bad.encode())})
    content = response.content.decode()
    assert response.status_code == 200
    assert "$.format" in content and "$.requests[0].versions[0].state" in content
    assert "Nothing was imported" in content
    assert not SavedRequest.objects.exists()
    assert "choose a file" in signed_in.post("/library/import", {}).content.decode()


def test_it_exports_one_request(signed_in, saved):
    response = signed_in.get(saved.get_absolute_url() + "export")
    assert response["Content-Disposition"] == 'attachment; filename="weather-loop.json"'
    assert files.check_document(response.content)[0]["name"] == "Weather loop"


def test_it_saves_a_new_version_from_edited_state(signed_in, saved):
    form = signed_in.get(saved.get_absolute_url() + "versions/new")
    assert form.context["values"]["base"] == 1
    state = json.loads(form.context["values"]["state"])
    state["notes"] = "edited"
    response = signed_in.post(saved.get_absolute_url() + "versions/new", {
        "state": json.dumps(state), "message": "notes", "base": "1",
    })
    assert response.status_code == 302
    assert saved.versions.first().state["notes"] == "edited"


def test_it_keeps_both_versions_and_says_so_when_someone_saved_meanwhile(signed_in, saved, alice):
    ops.save_version(saved, alice, sample_state("meanwhile"), base_version=1)
    response = signed_in.post(saved.get_absolute_url() + "versions/new", {
        "state": json.dumps(sample_state("mine")), "message": "", "base": "1",
    }, follow=True)
    assert "Someone else saved since your version 1" in response.content.decode()
    assert saved.versions.count() == 3


def test_it_shows_state_problems_when_saving_a_version(signed_in, saved):
    response = signed_in.post(saved.get_absolute_url() + "versions/new", {"state": '{"mocks": []}', "base": "x"})
    assert response.status_code == 200 and "state.mocks" in response.content.decode()
    assert saved.versions.count() == 1


def test_it_sends_large_states_to_the_playground_instead_of_a_textarea(signed_in, saved, alice, monkeypatch):
    monkeypatch.setattr("playground.library.views_request.MAX_EDITABLE_BYTES", 100)
    response = signed_in.get(saved.get_absolute_url() + "versions/new")
    assert b"too large to edit as text" in response.content and b"<textarea" not in response.content


def test_the_exchange_page_links_back_to_the_saved_request_it_ran_from(signed_in, saved, acme):
    from django.utils import timezone

    from playground.recording.models import Exchange

    exchange = Exchange.objects.create(team=acme, source="playground", started_at=timezone.now(), outcome="completed")
    ops.record_run(saved, exchange.public_id, saved.versions.get(), "oslo")
    content = signed_in.get(exchange.get_absolute_url()).content.decode()
    assert f'href="{saved.get_absolute_url()}" data-testid="run-origin"' in content
    assert "value set “oslo”" in content and f"{saved.get_absolute_url()}versions/1/" in content
    assert signed_in.get("/library/").context["page"].rows[0].outcome == "completed"
