"""Saving a working copy to the team library, and opening a saved request as a copy.

Policy: the library's own ops do every write to the library (`playground.library.ops`):
a copy's first save creates the saved request (version 1), each later save adds a version
and names the version the copy started from, so two members saving the same request at
once both keep theirs. After a save, the copy remembers the request and version and counts
as saved (its digest is the saved state's). A saved request's copy is found again rather
than opened twice: `/?saved=<public_id>` focuses the existing copy.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from playground.composer.models import WorkingCopy
from playground.composer.workcopies import (
    checked,
    clean_title,
    copies_for,
    digest,
    open_working_copy,
)
from playground.library import ops as library_ops
from playground.library.models import SavedRequest, Version


def save_copy(
    copy: WorkingCopy,
    user,
    state: object,
    name: str,
    description: str = "",
    tags: Iterable[str] = (),
    message: str = "",
) -> Version:
    """Save `state` (the page's current state) from `copy` to the library; DraftError for
    an unusable state, LibraryError (a ValueError listing every problem) for bad details."""
    cleaned, text = checked(state)
    saved = copy.saved_request
    with transaction.atomic():
        if saved is None:
            saved = library_ops.create_saved_request(
                copy.team, user, name, cleaned, description=description, tags=tags, message=message
            )
            version = saved.versions.order_by("-number").first()
        else:
            if (name, description, list(tags)) != (saved.name, saved.description, saved.tags):
                library_ops.update_details(saved, name, description, tags)
            version = library_ops.save_version(saved, user, cleaned, message, base_version=copy.base_version)
        copy.saved_request = saved
        copy.base_version = version.number
        copy.state_json = text
        copy.saved_digest = digest(cleaned)
        copy.unsaved = False
        copy.title = clean_title(saved.name)
        copy.revision += 1
        copy.save(
            update_fields=[
                "saved_request", "base_version", "state_json", "saved_digest", "unsaved", "title", "revision", "updated"
            ]
        )
    return version


def open_saved(user, team, saved: SavedRequest) -> WorkingCopy:
    """The user's copy of `saved` (the last shown), else a new copy of its latest version."""
    existing = copies_for(user, team).filter(saved_request=saved).order_by("-opened", "-id").first()
    if existing is not None:
        return existing
    latest = saved.versions.order_by("-number").first()
    state = latest.state if latest is not None else {}
    copy = open_working_copy(user, team, state, saved.name)
    copy.saved_request = saved
    copy.base_version = latest.number if latest is not None else None
    copy.save(update_fields=["saved_request", "base_version"])
    return copy
