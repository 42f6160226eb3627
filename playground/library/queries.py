"""Reads other parts of the app make of the library (each starts from the team)."""

from __future__ import annotations

from playground.library.models import RunOrigin


def run_origin(team, exchange_public_id: str) -> RunOrigin | None:
    """The saved request, version and value set an exchange was run from, if any."""
    if team is None:
        return None
    return (
        RunOrigin.objects.filter(team=team, exchange_id=exchange_public_id)
        .select_related("saved_request")
        .only("version_number", "value_set", "saved_request__public_id", "saved_request__name")
        .first()
    )
