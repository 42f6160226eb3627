"""Members saving the same request at the same moment: every save becomes a version.

Real threads, each with its own database connection, released together by a barrier;
the suite runs this on SQLite and again on PostgreSQL (where the row lock does the work).
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from playground.library import ops
from playground.library.models import SavedRequest, Version
from playground.teams.ops import add_member, ensure_team
from tests.library.conftest import sample_state

THREADS = 6
SAVES_EACH = 3


def _save_at_once(saved_pk: int, users: list) -> list[BaseException]:
    barrier = threading.Barrier(len(users))
    errors: list[BaseException] = []

    def work(user) -> None:
        try:
            saved = SavedRequest.objects.get(pk=saved_pk)
            barrier.wait(timeout=30)
            for i in range(SAVES_EACH):
                ops.save_version(saved, user, sample_state(f"{user.username} {i}"), base_version=1)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def _members(team) -> list:
    users = []
    for i in range(THREADS):
        user = get_user_model().objects.create_user(f"member{i}")
        add_member(team, user)
        users.append(user)
    return users


def _check_every_save_kept(saved_pk: int, users: list) -> None:
    versions = list(Version.objects.filter(saved_request_id=saved_pk).order_by("number"))
    assert [v.number for v in versions] == list(range(1, THREADS * SAVES_EACH + 2))
    texts = {v.state["request"]["messages"][0]["content"][0]["text"] for v in versions[1:]}
    assert texts == {f"{u.username} {i}" for u in users for i in range(SAVES_EACH)}
    assert SavedRequest.objects.get(pk=saved_pk).latest_number == THREADS * SAVES_EACH + 1
    assert sum(v.saved_concurrently for v in versions) == THREADS * SAVES_EACH - 1


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_save_made_at_the_same_time():
    team = ensure_team("acme")
    users = _members(team)
    saved = ops.create_saved_request(team, users[0], "shared", sample_state())
    errors = _save_at_once(saved.pk, users)
    assert errors == []
    _check_every_save_kept(saved.pk, users)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_serializes_version_numbers_with_a_row_lock_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL phase of the suite")
    team = ensure_team("acme")
    users = _members(team)
    saved = ops.create_saved_request(team, users[0], "shared", sample_state())
    # Without the row lock the unique constraint would turn most of these into retries;
    # with it none collide, so even a single attempt per save would succeed.
    original = ops._NUMBER_ATTEMPTS
    ops._NUMBER_ATTEMPTS = 1
    try:
        errors = _save_at_once(saved.pk, users)
    finally:
        ops._NUMBER_ATTEMPTS = original
    assert errors == []
    _check_every_save_kept(saved.pk, users)
