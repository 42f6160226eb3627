"""Saving, versioning, restoring, forking and recording runs of saved requests."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError

from playground.library import ops
from playground.library.models import Facet, RunOrigin, SavedRequest, Version
from playground.library.state import StateError
from tests.library.conftest import sample_state


def test_it_creates_a_saved_request_with_version_one(saved, alice):
    version = saved.versions.get()
    assert version.number == 1 and version.author == alice and version.message == "first"
    assert version.state == {**sample_state()}
    assert saved.model == "sim-1"
    assert saved.tool_names == " get_weather "
    assert "forecaster" in saved.search_text and "Weather loop" in saved.search_text
    assert sorted(Facet.objects.filter(saved_request=saved).values_list("kind", "value")) == [
        ("tag", "tools"), ("tag", "weather"), ("tool", "get_weather"),
    ]


def test_it_numbers_each_save_and_keeps_earlier_versions_unchanged(saved, alice):
    first = saved.versions.get()
    v2 = ops.save_version(saved, alice, sample_state("second text"), "two", base_version=first)
    v3 = ops.save_version(saved, alice, sample_state("third text"), "three", base_version=v2)
    assert [v.number for v in saved.versions.all()] == [3, 2, 1]
    assert Version.objects.get(pk=first.pk).state == sample_state()
    assert v3.state["request"]["messages"][0]["content"][0]["text"] == "third text"
    saved.refresh_from_db()
    assert saved.latest_number == 3 and "third text" in saved.search_text
    assert not v3.saved_concurrently


def test_it_refuses_to_update_a_version(saved):
    version = saved.versions.get()
    version.message = "rewritten"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    assert Version.objects.get(pk=version.pk).message == "first"


def test_it_keeps_both_saves_made_from_the_same_base(saved, alice, acme):
    from django.contrib.auth import get_user_model

    from playground.teams.ops import add_member

    mia = get_user_model().objects.create_user("mia")
    add_member(acme, mia)
    base = saved.versions.get()
    mine = ops.save_version(saved, alice, sample_state("alice's"), base_version=base)
    theirs = ops.save_version(saved, mia, sample_state("mia's"), base_version=base.number)
    assert (mine.number, theirs.number) == (2, 3)
    assert not mine.saved_concurrently and theirs.saved_concurrently
    texts = {v.state["request"]["messages"][0]["content"][0]["text"] for v in saved.versions.all()}
    assert {"alice's", "mia's"} <= texts


def test_it_keeps_the_state_exactly_with_key_order_and_control_characters(acme, alice):
    state = sample_state("nul \x00 bell \x07 <script>alert(1)</script> \ud800 lone")
    state["request"]["tools"][0]["input_schema"]["properties"] = {"z": {}, "a": {}, "m": {}}
    saved = ops.create_saved_request(acme, alice, "exact", state)
    stored = SavedRequest.objects.get(pk=saved.pk).versions.get()
    assert stored.state == state
    assert list(stored.state["request"]["tools"][0]["input_schema"]["properties"]) == ["z", "a", "m"]


def test_it_drops_credential_headers_from_the_state(acme, alice):
    state = sample_state()
    state["headers"] = {"x-api-key": "sk-ant-secret", "Authorization": "Bearer x", "anthropic-beta": "b"}
    saved = ops.create_saved_request(acme, alice, "no secrets", state)
    version = saved.versions.get()
    assert version.state["headers"] == {"anthropic-beta": "b"}
    assert "sk-ant-secret" not in version.state_json


def test_it_reports_every_problem_of_a_state_with_its_path(acme, alice):
    bad = {
        "request": [],
        "headers": {"a": 1},
        "notes": 3,
        "variables": {"sets": [{"name": ""}, {"name": "x", "values": {"k": 2}}], "active": 5},
        "extra": True,
    }
    with pytest.raises(StateError) as caught:
        ops.create_saved_request(acme, alice, "bad", bad)
    paths = [p for p, _ in caught.value.problems]
    assert paths == [
        "state", "state.request", "state.headers.a", "state.notes",
        "state.variables.sets[0].name", "state.variables.sets[1].values.k", "state.variables.active",
    ]
    assert not SavedRequest.objects.exists()


def test_it_refuses_an_unknown_active_value_set(acme, alice):
    state = sample_state()
    state["variables"]["active"] = "berlin"
    with pytest.raises(StateError, match="no value set named 'berlin'"):
        ops.create_saved_request(acme, alice, "x", state)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "must not be empty"),
        ("name", "x" * 501, "more than the 500"),
        ("name", "a\x00b", "NUL"),
        ("description", "\udc00", "surrogates"),
        ("tags", "one,two", "list of strings"),
    ],
)
def test_it_refuses_unstorable_details(acme, alice, field, value, message):
    kwargs = {"name": "ok", "description": "", "tags": []}
    kwargs[field] = value
    with pytest.raises(ops.LibraryError, match=message):
        ops.create_saved_request(acme, alice, state=sample_state(), **kwargs)
    assert not SavedRequest.objects.exists()


def test_it_stores_markup_and_control_characters_in_details_exactly(acme, alice):
    name = '<img src=x onerror=alert(1)>\x07\u202e"quoted"'
    saved = ops.create_saved_request(
        acme, alice, name, sample_state(), tags=[" <b>bold</b> ", "<b>bold</b>", "\x1b[31m"]
    )
    saved = SavedRequest.objects.get(pk=saved.pk)
    assert saved.name == name
    assert saved.tags == ["<b>bold</b>", "\x1b[31m"]


def test_it_restores_an_old_version_as_a_new_one(saved, alice):
    ops.save_version(saved, alice, sample_state("changed"))
    first = saved.versions.get(number=1)
    restored = ops.restore_version(saved, alice, first)
    assert restored.number == 3 and restored.restored_from == 1
    assert restored.state == first.state
    assert restored.message == "Restored version 1"
    assert saved.versions.count() == 3


def test_it_refuses_to_restore_another_requests_version(saved, alice, acme):
    other = ops.create_saved_request(acme, alice, "other", sample_state())
    with pytest.raises(ops.LibraryError):
        ops.restore_version(saved, alice, other.versions.get())


def test_it_forks_into_a_new_saved_request(saved, alice):
    ops.save_version(saved, alice, sample_state("v2"))
    first = saved.versions.get(number=1)
    forked = ops.fork(saved, alice, first)
    assert forked.pk != saved.pk and forked.name == "Weather loop (fork)"
    assert forked.forked_from == first and forked.tags == saved.tags
    assert forked.versions.get().state == first.state
    assert saved.versions.count() == 2


def test_it_updates_details_and_the_search_copy(saved):
    ops.update_details(saved, name="Renamed", tags=["new"])
    saved = SavedRequest.objects.get(pk=saved.pk)
    assert saved.name == "Renamed" and saved.tags == ["new"]
    assert "Renamed" in saved.search_text and "Weather loop" not in saved.search_text
    assert list(Facet.objects.filter(saved_request=saved, kind="tag").values_list("value", flat=True)) == ["new"]
    assert saved.versions.count() == 1


def test_it_records_a_run_and_its_outcome(saved):
    version = saved.versions.get()
    origin = ops.record_run(saved, "exch123", version, "oslo")
    assert (origin.version_number, origin.value_set) == (1, "oslo")
    ops.record_outcome("exch123", "completed")
    saved = SavedRequest.objects.get(pk=saved.pk)
    assert saved.last_exchange_id == "exch123" and saved.last_outcome == "completed"
    assert saved.last_value_set == "oslo" and saved.last_used_at is not None
    assert RunOrigin.objects.get(exchange_id="exch123").saved_request == saved


def test_it_deletes_a_saved_request_with_its_versions(saved, alice):
    ops.save_version(saved, alice, sample_state("two"))
    ops.delete_saved_request(saved)
    assert not Version.objects.exists() and not Facet.objects.exists()


def test_it_reads_only_the_teams_own_requests(saved, bob):
    from playground.teams.ops import ensure_team

    assert not SavedRequest.objects.for_team(ensure_team("globex")).exists()
    assert SavedRequest.objects.for_team(None).count() == 0
    assert SavedRequest.objects.for_team(saved.team).get() == saved


def test_it_saves_a_request_at_the_proxys_body_limit(acme, alice, settings):
    state = sample_state("x" * (settings.MAX_REQUEST_BYTES - 2000))
    saved = ops.create_saved_request(acme, alice, "big", state)
    assert saved.versions.get().size > settings.MAX_REQUEST_BYTES - 2000
    too_big = sample_state("x" * (settings.MAX_REQUEST_BYTES + 10))
    with pytest.raises(StateError, match="state.request"):
        ops.save_version(saved, alice, too_big)
    assert saved.versions.count() == 1
    assert len(json.loads(saved.versions.get().state_json)["request"]["messages"][0]["content"][0]["text"]) > 1000


def test_a_taken_version_number_is_djangos_integrity_error_and_nothing_half_saved(saved, alice):
    # A writer that skipped the row lock took number 2 without moving latest_number.
    Version.objects.create(saved_request=saved, number=2, state_json="{}", created=saved.created)
    with pytest.raises(IntegrityError):
        ops.save_version(saved, alice, sample_state("lost"))
    saved.refresh_from_db()
    assert saved.latest_number == 1
    assert [v.number for v in saved.versions.all()] == [2, 1]


def test_a_saved_version_reads_back_exactly_with_its_fields(saved, alice):
    state = sample_state("caf\u00e9 \U0001f600 \\ \" ' %s %(x)s")
    version = ops.save_version(saved, alice, state, "m\u00e9", base_version=1)
    stored = Version.objects.get(pk=version.pk)
    assert stored.state == state and stored.state_json == version.state_json
    assert (stored.number, stored.author, stored.message, stored.base_number) == (2, alice, "m\u00e9", 1)
    assert stored.size == len(stored.state_json.encode("utf-8")) and stored.created == version.created
