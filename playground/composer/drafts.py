"""The only functions that read and write composer drafts.

Policy: one draft per (user, team), replaced whole on every save (the page autosaves
its full state, debounced). A draft is checked before it is stored: it must be a JSON
object no larger than MAX_DRAFT_BYTES with only the known top-level keys, so a broken
client can never store something the page cannot load back. Secrets never belong in a
draft: headers that carry credentials are dropped on save.
"""

from __future__ import annotations

import json

from django.db import transaction

from playground.composer.models import Draft

# The API accepts 32 MB bodies; a draft that large would make every autosave a 32 MB
# write, so drafts stop well before that (base64 images are the usual bulk).
MAX_DRAFT_BYTES = 40 * 1024 * 1024
DRAFT_KEYS = ("request", "provider", "headers", "mocks")
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})


class DraftError(ValueError):
    """The state cannot be stored as a draft (the message says why)."""


def clean_state(state: object) -> dict:
    """The storable form of `state`, or DraftError."""
    if not isinstance(state, dict):
        raise DraftError("draft must be a JSON object")
    unknown = sorted(set(state) - set(DRAFT_KEYS))
    if unknown:
        raise DraftError(f"unknown draft keys: {', '.join(unknown)}")
    request = state.get("request", {})
    if not isinstance(request, dict):
        raise DraftError("draft.request must be a JSON object")
    provider = state.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise DraftError("draft.provider must be a string or null")
    headers = state.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise DraftError("draft.headers must map names to strings")
    mocks = state.get("mocks", {})
    if not isinstance(mocks, dict):
        raise DraftError("draft.mocks must be a JSON object")
    cleaned = {
        "request": request,
        "provider": provider,
        "headers": {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS},
        "mocks": mocks,
    }
    size = len(json.dumps(cleaned, ensure_ascii=False).encode())
    if size > MAX_DRAFT_BYTES:
        raise DraftError(f"draft is {size} bytes, more than the {MAX_DRAFT_BYTES} allowed")
    return cleaned


@transaction.atomic
def save_draft(user, team, state: dict) -> Draft:
    """Replace the user's draft in `team` with `state` (validated first; DraftError if unusable)."""
    cleaned = clean_state(state)
    draft, _ = Draft.objects.update_or_create(user=user, team=team, defaults={"state": cleaned})
    return draft


def load_draft(user, team) -> dict | None:
    """The user's draft in `team`, or None. Reads start from the team."""
    if user is None or team is None:
        return None
    draft = Draft.objects.filter(team=team, user=user).only("state").first()
    return draft.state if draft else None


def delete_draft(user, team) -> None:
    """Forget the user's draft in `team` (the page's "New" button)."""
    Draft.objects.filter(team=team, user=user).delete()
