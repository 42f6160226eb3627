"""The only functions that write teams and memberships, and which team a user works in."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from playground.teams.models import Membership, Role, Team

DEFAULT_TEAM = "default"


def ensure_team(name: str = DEFAULT_TEAM) -> Team:
    team, _ = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def add_member(team: Team, user, role: str = Role.MEMBER) -> Membership:
    """Adds the user to the team with `role`; an existing membership keeps its role."""
    membership, _ = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    return membership


def current_team(user) -> Team | None:
    """The user's first team by name."""
    if not user or not user.is_authenticated:
        return None
    membership = user.memberships.select_related("team").order_by("team__name").first()
    return membership.team if membership else None


def membership_for_user(user, session) -> Membership | None:
    """The user's membership of the team they work in: the session's `team_id` when the user
    is a member of that team, else their first team by name. `session` may be None (a socket
    scope without one)."""
    if not user or not user.is_authenticated:
        return None
    memberships = user.memberships.select_related("team")
    chosen = session.get("team_id") if session is not None else None
    if chosen:
        membership = memberships.filter(team_id=chosen).first()
        if membership:
            return membership
    return memberships.order_by("team__name").first()


def team_for_user(user, session) -> Team | None:
    """The team the user works in (see `membership_for_user`)."""
    membership = membership_for_user(user, session)
    return membership.team if membership else None


def team_for_request(request) -> Team | None:
    return team_for_user(request.user, request.session)


@transaction.atomic
def ensure_local_user(username: str):
    """The development user that AUTO_LOGIN_USER logs in: staff, member of the default team."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    add_member(ensure_team(), user, Role.OWNER)
    return user
