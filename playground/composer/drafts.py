"""What a working copy's state may hold, checked before it is stored.

Policy: a state is a JSON object no larger than MAX_DRAFT_BYTES with only the known
top-level keys (DRAFT_KEYS), each of the expected type, so a broken client can never store
something the page cannot load back. Missing keys get their empty value. Secrets never
belong in a state: headers that carry credentials are dropped.
"""

from __future__ import annotations

import json

# The API accepts 32 MB bodies; a state that large would make every autosave a 32 MB
# write, so states stop well before that (base64 images are the usual bulk).
MAX_DRAFT_BYTES = 40 * 1024 * 1024
DRAFT_KEYS = ("request", "provider", "headers", "mocks", "notes", "variables")
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})


class DraftError(ValueError):
    """The state cannot be stored (the message says why)."""


def empty_variables() -> dict:
    return {"sets": [], "active": None}


def clean_variables(value: object) -> dict:
    """The storable form of `state.variables`, or DraftError."""
    if value is None:
        return empty_variables()
    if not isinstance(value, dict) or set(value) - {"sets", "active"}:
        raise DraftError("draft.variables must be {\"sets\": [...], \"active\": name or null}")
    sets = value.get("sets", [])
    if not isinstance(sets, list):
        raise DraftError("draft.variables.sets must be a list")
    names = []
    for i, item in enumerate(sets):
        if not isinstance(item, dict) or set(item) - {"name", "values"}:
            raise DraftError(f"draft.variables.sets[{i}] must be {{\"name\", \"values\"}}")
        name, values = item.get("name"), item.get("values", {})
        if not isinstance(name, str) or not name.strip():
            raise DraftError(f"draft.variables.sets[{i}].name must be a non-empty string")
        if name in names:
            raise DraftError(f"draft.variables.sets[{i}].name repeats {name!r}")
        names.append(name)
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise DraftError(f"draft.variables.sets[{i}].values must map names to strings")
    active = value.get("active")
    if active is not None and active not in names:
        raise DraftError("draft.variables.active must name one of the value sets, or be null")
    return {"sets": [{"name": s["name"], "values": s.get("values", {})} for s in sets], "active": active}


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
    notes = state.get("notes", "")
    if not isinstance(notes, str):
        raise DraftError("draft.notes must be a string")
    cleaned = {
        "request": request,
        "provider": provider,
        "headers": {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS},
        "mocks": mocks,
        "notes": notes,
        "variables": clean_variables(state.get("variables")),
    }
    size = len(json.dumps(cleaned, ensure_ascii=False).encode())
    if size > MAX_DRAFT_BYTES:
        raise DraftError(f"draft is {size} bytes, more than the {MAX_DRAFT_BYTES} allowed")
    return cleaned
