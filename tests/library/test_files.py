"""Request files: export, import back, every problem with its path, never half an import."""

from __future__ import annotations

import json

import pytest

from playground.library import files, ops
from playground.library.models import SavedRequest, Version
from playground.teams.ops import ensure_team
from tests.library.conftest import sample_state


def test_it_round_trips_a_collection_with_every_version(saved, alice, acme, bob):
    ops.save_version(saved, alice, sample_state("second"), "two")
    other = ops.create_saved_request(acme, alice, "Other <b>", sample_state("x"), tags=["misc"])
    text = files.export_text([saved, other])
    document = json.loads(text)
    assert document["format"] == "messages-playground.requests" and document["version"] == 1
    assert [len(r["versions"]) for r in document["requests"]] == [2, 1]

    globex = ensure_team("globex")
    result = files.import_document(globex, bob, text)
    assert result.versions == 3
    imported = SavedRequest.objects.for_team(globex).order_by("name")
    assert [s.name for s in imported] == ["Other <b>", "Weather loop"]
    weather = imported[1]
    assert weather.public_id != saved.public_id and weather.tags == saved.tags
    assert [v.state for v in weather.versions.order_by("number")] == [
        v.state for v in saved.versions.order_by("number")
    ]
    assert [v.message for v in weather.versions.order_by("number")] == ["first", "two"]
    # alice is not in globex, so bob, who imported, is the author.
    assert {v.author for v in weather.versions.all()} == {bob}
    assert weather.versions.get(number=1).created == saved.versions.get(number=1).created


def test_it_keeps_authors_who_are_members_of_the_team(saved, alice, acme):
    text = files.export_text([saved])
    result = files.import_document(acme, None, text)
    assert result.requests[0].versions.get().author == alice


def test_it_exports_only_the_latest_version_when_asked(saved, alice):
    ops.save_version(saved, alice, sample_state("second"), "two")
    document = json.loads(files.export_text([saved], latest_only=True))
    assert [v["number"] for v in document["requests"][0]["versions"]] == [2]


def test_it_never_exports_a_credential(acme, alice):
    state = sample_state()
    saved = ops.create_saved_request(acme, alice, "s", state)
    # A version stored before a header was known to be secret: written past the ops.
    Version.objects.bulk_create([Version(
        saved_request=saved, number=2, created=saved.created,
        state_json=json.dumps({**state, "headers": {"x-api-key": "sk-ant-leak", "anthropic-beta": "b"}}),
    )])
    text = files.export_text([saved])
    assert "sk-ant-leak" not in text and "anthropic-beta" in text


def test_it_reports_every_problem_with_its_json_path_and_imports_nothing(acme, alice):
    good = json.loads(files.export_text([ops.create_saved_request(acme, alice, "good", sample_state())]))
    before = SavedRequest.objects.count()
    bad_state = sample_state()
    bad_state["request"] = "not an object"
    bad_state["variables"]["active"] = 7
    document = {
        "format": "messages-playground.requests",
        "version": 2,
        "requests": [
            good["requests"][0],
            {"name": "", "tags": "x", "versions": [{"state": bad_state, "number": 0, "created": "yesterday"}]},
            {"name": "no versions", "versions": []},
            "a string",
            {"name": "n\x00", "versions": [{"message": 5}], "colour": "red"},
        ],
    }
    with pytest.raises(files.ImportProblems) as caught:
        files.import_document(acme, alice, json.dumps(document))
    assert caught.value.problems == [
        ("$.version", "must be 1 (this server reads version 1)"),
        ("$.requests[1].name", "must not be empty"),
        ("$.requests[1].tags", "must be a list of strings"),
        ("$.requests[1].versions[0].state.request", "must be a JSON object"),
        ("$.requests[1].versions[0].state.variables.active", "must be a value set name or null"),
        ("$.requests[1].versions[0].number", "must be a whole number from 1"),
        ("$.requests[1].versions[0].created", "must be an ISO 8601 date and time, or null"),
        ("$.requests[2].versions", "must be a non-empty list of versions"),
        ("$.requests[3]", "must be an object"),
        ("$.requests[4]", "unknown keys: colour"),
        ("$.requests[4].name", "must not contain NUL characters"),
        ("$.requests[4].versions[0]", "has no `state`"),
        ("$.requests[4].versions[0].message", "must be a string"),
    ]
    assert SavedRequest.objects.count() == before


def test_it_rolls_back_everything_when_a_late_request_fails(acme, alice, monkeypatch):
    text = files.export_text([
        ops.create_saved_request(acme, alice, "one", sample_state()),
        ops.create_saved_request(acme, alice, "two", sample_state()),
    ])
    before = (SavedRequest.objects.count(), Version.objects.count())
    real = ops.import_saved_request
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ops.LibraryError([("state", "disk full")])
        return real(*args, **kwargs)

    monkeypatch.setattr(ops, "import_saved_request", failing_second)
    with pytest.raises(files.ImportProblems):
        files.import_document(acme, alice, text)
    assert (SavedRequest.objects.count(), Version.objects.count()) == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"{not json", "is not JSON"),
        (b"\xff\xfe", "is not JSON"),
        (b"[]", "must be an object"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_it_refuses_files_that_are_not_request_files(acme, alice, text, problem):
    with pytest.raises(files.ImportProblems, match=problem):
        files.import_document(acme, alice, text)


def test_it_refuses_a_state_over_the_size_limit_with_its_path(acme, alice, settings):
    settings.MAX_REQUEST_BYTES = 1000
    document = {
        "format": "messages-playground.requests", "version": 1,
        "requests": [{"name": "big", "versions": [{"state": sample_state("x" * 2000)}]}],
    }
    with pytest.raises(files.ImportProblems) as caught:
        files.import_document(acme, alice, json.dumps(document))
    assert caught.value.problems[0][0] == "$.requests[0].versions[0].state.request"


def test_it_imports_authors_whose_names_no_column_can_hold(acme, alice):
    document = {
        "format": "messages-playground.requests", "version": 1,
        "requests": [{"name": "x", "versions": [{"state": sample_state(), "author": "al\x00ice"}]}],
    }
    result = files.import_document(acme, alice, json.dumps(document))
    assert result.requests[0].versions.get().author == alice
