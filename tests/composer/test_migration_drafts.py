"""The migration to working copies keeps every existing draft as a working copy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from playground.composer.models import WorkingCopy
from playground.teams.models import Team


@pytest.mark.django_db(transaction=True)
def test_every_draft_becomes_a_working_copy(alice, bob):
    acme, globex = Team.objects.get(name="acme"), Team.objects.get(name="globex")
    executor = MigrationExecutor(connection)
    executor.migrate([("composer", "0001_initial")])
    try:
        Draft = executor.loader.project_state([("composer", "0001_initial")]).apps.get_model("composer", "Draft")
        Draft.objects.create(user_id=alice.pk, team_id=acme.pk, state={"request": {"model": "alice-draft"}})
        Draft.objects.create(user_id=bob.pk, team_id=globex.pk, state={"request": {"model": "bob-draft"}})
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    copies = {c.user_id: c for c in WorkingCopy.objects.all()}
    assert copies[alice.pk].state == {"request": {"model": "alice-draft"}}
    assert copies[alice.pk].team_id == acme.pk and copies[bob.pk].team_id == globex.pk
    assert copies[bob.pk].state["request"]["model"] == "bob-draft"
    assert copies[alice.pk].title == "Draft" and copies[alice.pk].unsaved
    assert len({c.public_id for c in copies.values()}) == 2 and all(copies[u].public_id for u in copies)
