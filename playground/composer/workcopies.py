"""The only functions that read and write working copies (the composer's open requests).

Policy:

* A working copy belongs to one user in one team. Every read starts from both
  (`copies_for`), so another user's or another team's copy is never found: a 404.
* Each copy keeps its own autosaved state, replaced whole on every autosave, checked first
  by the library's state check (the same shape a saved request has: a broken client cannot
  store what the page cannot load back, and credential headers are dropped), and at most
  the library's MAX_STATE_BYTES.
* "Unsaved" means the state differs from what the copy was opened as or last saved to the
  library: the sha256 of the state's canonical JSON is compared on every autosave.
* Opening something (a recorded exchange, a share, a blank request) always makes a NEW copy;
  nothing is ever overwritten. At most MAX_COPIES copies per user and team, so a loop of
  "open" clicks cannot grow the table without bound; closing one deletes it.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from playground.composer.models import WorkingCopy
from playground.library.state import MAX_STATE_BYTES, check_state, dumps

MAX_COPIES = 50
MAX_TITLE = 200
DEFAULT_VERSION = "2023-06-01"


class DraftError(ValueError):
    """The state cannot be stored in a working copy (the message says why)."""


class Conflict(DraftError):
    """The copy changed since the revision the caller edited (another window saved)."""


class CopyLimit(DraftError):
    """The user already has MAX_COPIES copies open in this team."""


def checked(state: object) -> tuple[dict, str]:
    """The storable form of `state` and its JSON text (serialized once: states reach
    megabytes), or DraftError naming every problem with its path."""
    cleaned, problems = check_state(state)
    if problems:
        raise DraftError("; ".join(f"{path}: {message}" for path, message in problems))
    text = dumps(cleaned)
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_STATE_BYTES:
        raise DraftError(f"state is {size} bytes, more than the {MAX_STATE_BYTES} allowed")
    return cleaned, text


def default_state(model: str = "sim-1") -> dict:
    return checked(
        {
            "request": {
                "model": model,
                "max_tokens": 1024,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello!"}]}],
            },
            "provider": None,
            "headers": {"anthropic-version": DEFAULT_VERSION},
            "mocks": {},
        }
    )[0]


def digest(state: dict) -> str:
    text = json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def clean_title(title: object) -> str:
    """A title as stored: one line, stripped, at most MAX_TITLE characters ("Untitled" if empty)."""
    if not isinstance(title, str):
        raise DraftError("title must be a string")
    title = " ".join(title.replace("\x00", "").split())[:MAX_TITLE]
    return title or "Untitled"


def copies_for(user, team) -> QuerySet[WorkingCopy]:
    """The user's copies in `team`, in the order their tabs show (oldest first)."""
    if user is None or team is None or not user.is_authenticated:
        return WorkingCopy.objects.none()
    return WorkingCopy.objects.filter(team=team, user=user).order_by("created", "id")


def get_copy(user, team, public_id: object) -> WorkingCopy | None:
    if not isinstance(public_id, str) or not public_id:
        return None
    return copies_for(user, team).filter(public_id=public_id).first()


@transaction.atomic
def open_working_copy(user, team, state: dict, title: str = "Untitled") -> WorkingCopy:
    """A new working copy of `state` for `user` in `team` (DraftError if the state is
    unusable, CopyLimit when too many are open). It counts as unsaved only once edited."""
    cleaned, text = checked(state)
    if copies_for(user, team).count() >= MAX_COPIES:
        raise CopyLimit(f"at most {MAX_COPIES} requests open at once: close one first")
    copy = WorkingCopy(
        user=user, team=team, title=clean_title(title), state_json=text, saved_digest=digest(cleaned)
    )
    copy.save(force_insert=True)
    return copy


def current_copy(user, team) -> WorkingCopy:
    """The copy the user looked at last in `team`; a new default one when there is none."""
    copy = copies_for(user, team).order_by("-opened", "-id").first()
    return copy if copy is not None else open_working_copy(user, team, default_state())


def focus(copy: WorkingCopy) -> None:
    """Remember `copy` as the one shown last (`/` opens it next time)."""
    copy.opened = timezone.now()
    WorkingCopy.objects.filter(pk=copy.pk).update(opened=copy.opened)


def autosave(copy: WorkingCopy, state: object, revision: int | None = None) -> WorkingCopy:
    """Replace the copy's state (checked first; DraftError leaves the stored one as it was).

    With `revision` (the one the caller's edits started from), the write happens only if
    the copy is still at that revision, else Conflict; without it, it overwrites."""
    cleaned, copy.state_json = checked(state)
    copy.unsaved = digest(cleaned) != copy.saved_digest
    rows = WorkingCopy.objects.filter(pk=copy.pk)
    if revision is not None:
        rows = rows.filter(revision=revision)
    now = timezone.now()
    if not rows.update(state_json=copy.state_json, unsaved=copy.unsaved, updated=now, revision=F("revision") + 1):
        raise Conflict("this request was changed in another window since this page loaded it")
    copy.updated = now
    copy.revision = WorkingCopy.objects.values_list("revision", flat=True).get(pk=copy.pk)
    return copy


def rename(copy: WorkingCopy, title: object) -> WorkingCopy:
    copy.title = clean_title(title)
    copy.save(update_fields=["title", "updated"])
    return copy


def close(copy: WorkingCopy) -> None:
    """Close the tab: the copy is deleted (what was saved to the library stays there)."""
    copy.delete()


def copy_json(copy: WorkingCopy) -> dict:
    """What the page and the endpoints say about a copy (never its state), with the saved
    request it came from or was saved as (null when it is not in the library)."""
    saved = copy.saved_request
    return {
        "id": copy.public_id,
        "title": copy.title,
        "unsaved": copy.unsaved,
        "revision": copy.revision,
        "url": copy.get_absolute_url(),
        "saved": None
        if saved is None
        else {
            "id": saved.public_id,
            "name": saved.name,
            "description": saved.description,
            "tags": list(saved.tags),
            "version": copy.base_version,
            "latest": saved.latest_number,
            "url": saved.get_absolute_url(),
        },
    }
