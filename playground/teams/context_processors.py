from __future__ import annotations

from playground.teams.ops import team_for_request


def team(request) -> dict:
    if not hasattr(request, "user"):
        return {}
    return {"current_team": team_for_request(request)}
