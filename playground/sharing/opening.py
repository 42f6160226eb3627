""""Open in playground" from a share: the shared request, copied into the reader's team.

Policy: the copy is built from what the share shows (the request body exactly as
recorded, media included, and only the headers that change what the API does:
anthropic-version, anthropic-beta, x-sim-*), never from the sharer's provider, keys or
drafts. It is written as the reader's working copy in the reader's current team; nothing
of the sharer's team is read beyond the shared target or written at all.
"""

from __future__ import annotations

from django.db.models import F

from playground.composer import drafts
from playground.recording.models import Exchange
from playground.recording.queries import get_request_body
from playground.sharing.models import Share
from playground.teams.models import Team

KEPT_HEADERS = ("anthropic-version", "anthropic-beta")
DEFAULT_VERSION = "2023-06-01"


class NothingToOpen(ValueError):
    """The shared target has no JSON request to open."""


def _shared_exchange(share: Share) -> Exchange | None:
    if share.exchange is not None:
        return share.exchange
    if share.thread is not None:
        # The thread's latest step carries the whole conversation so far.
        return (
            Exchange.objects.filter(thread=share.thread, team_id=share.team_id, retry_of__isnull=True)
            .order_by(F("step").desc(nulls_last=True), "branch", "-started_at", "-id").first()
        )
    return None


def state_for(share: Share) -> dict:
    """The composer state a share opens as (NothingToOpen when there is no JSON request)."""
    exchange = _shared_exchange(share)
    body = get_request_body(exchange) if exchange is not None else None
    if not isinstance(body, dict):
        raise NothingToOpen("This share has no JSON request to open.")
    headers = {}
    for pair in exchange.request_headers or []:
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
            name = pair[0].lower()
            if name in KEPT_HEADERS or name.startswith("x-sim-"):
                headers[name] = pair[1]
    headers.setdefault("anthropic-version", DEFAULT_VERSION)
    return {"request": body, "provider": None, "headers": headers, "mocks": {}}


def open_in_playground(user, team: Team, share: Share) -> None:
    """Makes the shared request the reader's working copy in `team` (their own)."""
    drafts.save_draft(user, team, state_for(share))
