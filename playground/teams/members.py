"""The only functions that change who is in a team and with which role.

Policy: a team always keeps at least one owner. Demoting, removing or letting leave the
last owner is refused. Every change locks the team's row first, so changes to one team
happen one after another: two owners demoting each other at once cannot both succeed. Callers check the caller's own role
(`access.require_manage`) before calling these.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from playground.teams.models import Membership, Role, Team
from playground.teams.ops import TeamError

LAST_OWNER = "A team needs at least one owner: make someone else an owner first."


def clean_role(role: object) -> str:
    if role not in Role.values:
        raise TeamError("Choose a role: owner, member or viewer.")
    return str(role)


def _lock(team: Team) -> None:
    Team.objects.select_for_update().filter(pk=team.pk).first()


def _membership(team: Team, membership_id: object) -> Membership:
    _lock(team)
    try:
        membership_id = int(membership_id)
    except (TypeError, ValueError):
        membership_id = 0
    membership = Membership.objects.filter(team=team, pk=membership_id).first()
    if membership is None:
        raise Membership.DoesNotExist("No such member.")
    return membership


def _is_last_owner(membership: Membership) -> bool:
    if membership.role != Role.OWNER:
        return False
    owners = Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER)
    return not owners.exclude(pk=membership.pk).exists()


def members(team: Team) -> list[Membership]:
    return list(team.memberships.select_related("user").order_by("user__username"))


@transaction.atomic
def add_existing_user(team: Team, username: object, role: object) -> Membership:
    role = clean_role(role)
    if not isinstance(username, str) or not username.strip():
        raise TeamError("Give the username of the person to add.")
    _lock(team)
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None or not user.is_active:
        raise TeamError(f"There is no user {username.strip()!r}.")
    if Membership.objects.filter(team=team, user=user).exists():
        raise TeamError(f"{user.get_username()} is already a member of {team.name}.")
    return Membership.objects.create(team=team, user=user, role=role)


@transaction.atomic
def set_role(team: Team, membership_id: object, role: object) -> Membership:
    """Raises Membership.DoesNotExist for a member of another team (the view's 404)."""
    role = clean_role(role)
    membership = _membership(team, membership_id)
    if role != Role.OWNER and _is_last_owner(membership):
        raise TeamError(LAST_OWNER)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(team: Team, membership_id: object) -> Membership:
    """Removes a member (also oneself: leaving). Membership.DoesNotExist as in set_role."""
    membership = _membership(team, membership_id)
    if _is_last_owner(membership):
        raise TeamError(LAST_OWNER)
    membership.delete()
    return membership
