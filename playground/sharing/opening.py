""""Open in playground" from a share: the shared request, copied into the reader's team.

Policy: the copy is built from what the share shows (the request body exactly as
recorded or saved, media included, the tool mocks of a saved request, and only the
headers that change what the API does: anthropic-version, anthropic-beta, x-sim-*),
never from the sharer's provider, keys, notes, variable values or drafts. It opens as a
new working copy (a new tab) of the reader in the reader's current team; nothing of the
sharer's team is read beyond the shared target or written at all.
"""

from __future__ import annotations

from django.db.models import F

from playground.composer import workcopies
from playground.composer.models import WorkingCopy
from playground.library.models import Version
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


def kept_headers(headers: object) -> dict[str, str]:
    """Only the headers that change what the API does, from pairs or a mapping."""
    pairs = headers.items() if isinstance(headers, dict) else headers if isinstance(headers, list) else []
    kept = {}
    for pair in pairs:
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
            name = pair[0].lower()
            if name in KEPT_HEADERS or name.startswith("x-sim-"):
                kept[name] = pair[1]
    return kept


def shared_version(share: Share) -> Version | None:
    """The version a saved-request share shows: the pinned one, else the latest."""
    saved = share.saved_request
    if saved is None:
        return None
    number = share.version_number if share.version_number is not None else saved.latest_number
    return saved.versions.filter(number=number).first()


def state_for(share: Share) -> dict:
    """The composer state a share opens as (NothingToOpen when there is no JSON request)."""
    if share.saved_request is not None:
        version = shared_version(share)
        state = version.state if version is not None else {}
        request = state.get("request") if isinstance(state, dict) else None
        if not isinstance(request, dict):
            raise NothingToOpen("This share has no request to open.")
        headers = kept_headers(state.get("headers"))
        headers.setdefault("anthropic-version", DEFAULT_VERSION)
        mocks = state.get("mocks") if isinstance(state.get("mocks"), dict) else {}
        return {"request": request, "provider": None, "headers": headers, "mocks": mocks}
    exchange = _shared_exchange(share)
    body = get_request_body(exchange) if exchange is not None else None
    if not isinstance(body, dict):
        raise NothingToOpen("This share has no JSON request to open.")
    headers = kept_headers(exchange.request_headers or [])
    headers.setdefault("anthropic-version", DEFAULT_VERSION)
    return {"request": body, "provider": None, "headers": headers, "mocks": {}}


def title_for(share: Share) -> str:
    if share.saved_request is not None:
        return f"Shared: {share.saved_request.name}"
    return f"Shared {share.get_kind_display()}"


def open_in_playground(user, team: Team, share: Share) -> WorkingCopy:
    """A new working copy of the shared request for `user` in `team` (their own); nothing
    they have open is replaced. workcopies.DraftError (CopyLimit too) when it cannot be."""
    copy = workcopies.open_working_copy(user, team, state_for(share), title_for(share))
    workcopies.focus(copy)
    return copy
