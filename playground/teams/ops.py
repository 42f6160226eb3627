"""The only functions that write teams and memberships, and which team a user works in.

The team a user works in: the one chosen in this session (`team_id`) while they are a
member of it, else the team they last switched to (`Membership.last_used`, kept in the
database so it holds across sign-ins and devices), else their first team by name.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from playground.teams.models import Membership, Role, Team

DEFAULT_TEAM = "default"
MAX_TEAM_NAME = 100
SESSION_KEY = "team_id"


class TeamError(ValueError):
    """A team change that cannot be made (the message says why, for the page)."""


def ensure_team(name: str = DEFAULT_TEAM) -> Team:
    team, _ = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def add_member(team: Team, user, role: str = Role.MEMBER) -> Membership:
    """Adds the user to the team with `role`; an existing membership keeps its role."""
    membership, _ = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    return membership


def _ordered(memberships):
    return memberships.order_by(F("last_used").desc(nulls_last=True), "team__name")


def memberships_of(user) -> list[Membership]:
    """The user's memberships, teams loaded, by name (the team switcher's list)."""
    if not user or not user.is_authenticated:
        return []
    return list(user.memberships.select_related("team").order_by("team__name"))


def current_team(user) -> Team | None:
    """The team the user last switched to, else their first team by name."""
    if not user or not user.is_authenticated:
        return None
    membership = _ordered(user.memberships.select_related("team")).first()
    return membership.team if membership else None


def membership_for_user(user, session) -> Membership | None:
    """The user's membership of the team they work in (see the module docstring). `session`
    may be None (a socket scope without one)."""
    if not user or not user.is_authenticated:
        return None
    memberships = user.memberships.select_related("team")
    chosen = session.get(SESSION_KEY) if session is not None else None
    if chosen:
        membership = memberships.filter(team_id=chosen).first()
        if membership:
            return membership
    return _ordered(memberships).first()


def team_for_user(user, session) -> Team | None:
    """The team the user works in (see `membership_for_user`)."""
    membership = membership_for_user(user, session)
    return membership.team if membership else None


def team_for_request(request) -> Team | None:
    return team_for_user(request.user, request.session)


def switch_team(user, session, team_id: object) -> Membership | None:
    """Makes the user's team `team_id` their current one, in this session and from now on;
    None (and no change) when they are not a member of it."""
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        return None
    membership = user.memberships.select_related("team").filter(team_id=team_id).first()
    if membership is None:
        return None
    membership.last_used = timezone.now()
    membership.save(update_fields=["last_used"])
    if session is not None:
        session[SESSION_KEY] = membership.team_id
    return membership


def clean_team_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TeamError("Give the team a name.")
    name = name.strip()
    if len(name) > MAX_TEAM_NAME:
        raise TeamError(f"A team name has at most {MAX_TEAM_NAME} characters.")
    if not name.isprintable():
        raise TeamError("A team name cannot hold control characters.")
    return name


def create_team(user, name: object) -> Team:
    """A new team owned by `user`, which becomes their current team."""
    name = clean_team_name(name)
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name)
            Membership.objects.create(team=team, user=user, role=Role.OWNER, last_used=timezone.now())
    except IntegrityError as exc:
        raise TeamError("A team with this name already exists.") from exc
    return team


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
