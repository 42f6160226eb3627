from __future__ import annotations

from playground.teams.ops import membership_for_user, memberships_of


def team(request) -> dict:
    """The rail's team switcher: the team the user works in, their role, all their teams."""
    if not hasattr(request, "user"):
        return {}
    membership = membership_for_user(request.user, request.session)
    return {
        "current_team": membership.team if membership else None,
        "current_membership": membership,
        # A callable: templates call it only where the switcher is drawn (not in partials).
        "my_memberships": lambda: memberships_of(request.user),
    }
