"""The only functions that write teams and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from playground.teams.models import Membership, Team

DEFAULT_TEAM = "default"


def ensure_team(name: str = DEFAULT_TEAM) -> Team:
    team, _ = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def add_member(team: Team, user) -> Membership:
    membership, _ = Membership.objects.get_or_create(team=team, user=user)
    return membership


def current_team(user) -> Team | None:
    """The user's first team (the team switcher stores a choice in the session)."""
    if not user or not user.is_authenticated:
        return None
    membership = user.memberships.select_related("team").order_by("team__name").first()
    return membership.team if membership else None


def team_for_request(request) -> Team | None:
    user = request.user
    if not user.is_authenticated:
        return None
    chosen = request.session.get("team_id")
    if chosen:
        membership = user.memberships.select_related("team").filter(team_id=chosen).first()
        if membership:
            return membership.team
    return current_team(user)


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
    add_member(ensure_team(), user)
    return user
