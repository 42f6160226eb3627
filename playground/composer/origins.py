"""Where a composer run comes from, and the link from its exchange back to it.

A run from a working copy that came from (or was saved to) the library is linked, by the
library's run-origin record, to the saved request, the version the copy was last saved as
or opened from, and the value set whose values filled its `{{name}}` placeholders. The
exchange itself records the resolved request exactly as sent.

Policy for placeholders (`playground.library.variables`): a request whose copy has no
value sets is sent exactly as written (a `{{...}}` in it is plain text); once it has value
sets, every placeholder needs a value in the chosen set, else the run is refused before
anything is sent or recorded, naming each missing placeholder and where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.composer.models import WorkingCopy
from playground.composer.results import RunRefused
from playground.library import ops as library_ops
from playground.library.models import SavedRequest, Version
from playground.library.variables import MissingValues, resolve


@dataclass(frozen=True)
class Origin:
    saved_request: SavedRequest
    version: Version | None


def origin_of(team_id: int, user_id: int, copy_id: str | None) -> Origin | None:
    """The saved request and version behind the user's copy `copy_id` (None when the copy
    is unknown, not theirs, or not in the library)."""
    if not copy_id:
        return None
    copy = (
        WorkingCopy.objects.filter(team_id=team_id, user_id=user_id, public_id=copy_id)
        .select_related("saved_request")
        .first()
    )
    if copy is None or copy.saved_request is None:
        return None
    version = None
    if copy.base_version is not None:
        version = copy.saved_request.versions.filter(number=copy.base_version).first()
    return Origin(copy.saved_request, version)


def link(origin: Origin, exchange_id: str, value_set: str | None) -> None:
    library_ops.record_run(origin.saved_request, exchange_id, origin.version, value_set or "")


def finished(exchange_id: str, outcome: str) -> None:
    library_ops.record_outcome(exchange_id, outcome)


def resolved(request: dict, variables: dict | None) -> dict:
    """`request` with the value set's values filled in (`variables` is the run message's
    `{"set": name, "values": {...}}`, None when the copy has no value sets), or RunRefused."""
    if variables is None:
        return request
    try:
        out = resolve(request, variables["values"], variables["set"])
    except MissingValues as exc:
        raise RunRefused("invalid_request_error", str(exc)) from exc
    return out if isinstance(out, dict) else request
