"""Two owners demoting each other at the same moment: one wins, the team keeps an owner."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from playground.teams import members
from playground.teams.models import Membership, Role
from playground.teams.ops import TeamError, add_member, ensure_team

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_an_owner_when_two_owners_demote_each_other_at_once(alice):
    acme = ensure_team("acme")
    olga = get_user_model().objects.create_user("olga", password="olga-password")
    add_member(acme, olga, Role.OWNER)
    ids = {m.user.username: m.pk for m in Membership.objects.filter(team=acme).select_related("user")}
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(target: str) -> None:
        try:
            start.wait(timeout=10)
            members.set_role(acme, ids[target], Role.MEMBER)
            outcomes.append("demoted")
        except TeamError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(name,)) for name in ("alice", "olga")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Membership.objects.filter(team=acme, role=Role.OWNER).count() == 1
