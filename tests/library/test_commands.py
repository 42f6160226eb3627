"""`manage.py export_requests` and `import_requests`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from playground.library import ops
from playground.library.models import SavedRequest
from playground.teams.ops import ensure_team
from tests.library.conftest import sample_state


def test_it_exports_a_filtered_team_to_a_file_and_imports_it_into_another(tmp_path, saved, acme, alice, bob):
    ops.create_saved_request(acme, alice, "Untagged", sample_state())
    out = tmp_path / "requests.json"
    call_command("export_requests", "--team", "acme", "--tag", "weather", "--output", str(out), stderr=io.StringIO())
    assert [r["name"] for r in json.loads(out.read_text())["requests"]] == ["Weather loop"]
    stdout = io.StringIO()
    call_command("import_requests", str(out), "--team", "globex", "--user", "bob", stdout=stdout)
    assert "imported 1 saved requests (1 versions) into globex" in stdout.getvalue()
    imported = SavedRequest.objects.for_team(ensure_team("globex")).get()
    assert imported.created_by == bob and imported.versions.get().state == sample_state()


def test_it_exports_chosen_ids_to_standard_output(saved, alice):
    ops.save_version(saved, alice, sample_state("two"))
    stdout = io.StringIO()
    call_command("export_requests", "--team", "acme", "--id", saved.public_id, "--latest-only", stdout=stdout, stderr=io.StringIO())
    document = json.loads(stdout.getvalue())
    assert [v["number"] for v in document["requests"][0]["versions"]] == [2]


def test_it_names_unknown_teams_ids_and_users(saved, tmp_path):
    with pytest.raises(CommandError, match="no team named 'nope'"):
        call_command("export_requests", "--team", "nope")
    with pytest.raises(CommandError, match="no saved request missing1"):
        call_command("export_requests", "--team", "acme", "--id", "missing1")
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("import_requests", str(tmp_path / "x.json"), "--team", "acme", "--user", "ghost")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_requests", str(tmp_path / "x.json"), "--team", "acme")


def test_it_needs_a_team_when_there_are_several(saved, bob):
    with pytest.raises(CommandError, match="--team"):
        call_command("export_requests")


def test_it_lists_every_problem_and_imports_nothing(tmp_path, saved):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "format": "messages-playground.requests", "version": 1,
        "requests": [{"name": "ok", "versions": [{"state": sample_state()}]}, {"name": "", "versions": [{"state": {"request": []}}]}],
    }))
    before = SavedRequest.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("import_requests", str(bad), "--team", "acme")
    message = str(caught.value)
    assert "nothing imported: 2 problem(s)" in message
    assert "$.requests[1].name: must not be empty" in message
    assert "$.requests[1].versions[0].state.request: must be a JSON object" in message
    assert SavedRequest.objects.count() == before
