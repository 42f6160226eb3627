"""The only functions that write shares and comments.

Callers have already checked the role (`playground.teams.access.require_write`); these
functions check everything about the input and raise `SharingError` with a message fit
to show inline, before anything is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from playground.library.models import SavedRequest
from playground.recording.models import Exchange, Thread
from playground.sharing.models import Comment, Share
from playground.sharing.tokens import hash_token, hint_of, new_token
from playground.teams.models import Membership, Role, Team

EXPIRY_CHOICES = {
    "": None,
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
EXPIRY_LABELS = [("", "never"), ("1h", "in an hour"), ("1d", "in a day"), ("7d", "in a week"), ("30d", "in 30 days")]
MAX_COMMENT_CHARS = 100_000


class SharingError(ValueError):
    """The share or comment cannot be made; the message says why and is safe to show."""


def expiry_from(choice: object, now: datetime | None = None) -> datetime | None:
    if not isinstance(choice, str) or choice not in EXPIRY_CHOICES:
        raise SharingError("Choose when the link expires: never, in an hour, a day, a week or 30 days.")
    delta = EXPIRY_CHOICES[choice]
    return None if delta is None else (now or timezone.now()) + delta


def version_from(choice: object, saved_request: SavedRequest) -> int | None:
    """The pinned version number from the form ("" or "latest": None, the latest at each visit)."""
    if choice in (None, "", "latest"):
        return None
    if isinstance(choice, str) and choice.isdigit() and len(choice) <= 9:
        number = int(choice)
        if saved_request.versions.filter(number=number).exists():
            return number
    raise SharingError(f"{saved_request.name[:100]} has no version {str(choice)[:20]!r}: choose latest or one of its versions.")


def create_share(
    team: Team, *, exchange: Exchange | None = None, thread: Thread | None = None,
    saved_request: SavedRequest | None = None, version_number: int | None = None,
    expires_at: datetime | None = None, created_by=None,
) -> tuple[Share, str]:
    """A new share of one target of `team`; returns it with its token, which is never
    retrievable again (only its hash is stored)."""
    targets = [t for t in (exchange, thread, saved_request) if t is not None]
    if len(targets) != 1:
        raise SharingError("A share points at exactly one exchange, thread or saved request.")
    if targets[0].team_id != team.pk:
        raise SharingError("That belongs to another team.")
    if version_number is not None and saved_request is None:
        raise SharingError("Only a saved request has versions.")
    kind = Share.EXCHANGE if exchange is not None else Share.THREAD if thread is not None else Share.REQUEST
    for _ in range(3):
        token = new_token()
        try:
            with transaction.atomic():
                share = Share.objects.create(
                    team=team, kind=kind, exchange=exchange, thread=thread,
                    saved_request=saved_request, version_number=version_number,
                    token_hash=hash_token(token), hint=hint_of(token),
                    expires_at=expires_at, created_by=created_by,
                )
        except IntegrityError:  # a hash collision: 256 random bits make this theoretical
            continue
        return share, token
    raise SharingError("Could not make a unique link; try again.")


def revoke_share(share: Share, by=None) -> Share:
    """Revokes the share for good (its token stays a 404 forever)."""
    if share.revoked_at is None:
        Share.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        share.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return share


def clean_comment(body: object) -> str:
    """The body as typed, or SharingError. Stored exactly: only what no database column can
    hold (NUL) and what is empty or too long is refused."""
    if not isinstance(body, str) or not body.strip():
        raise SharingError("A comment needs some text.")
    if len(body) > MAX_COMMENT_CHARS:
        raise SharingError(f"Comments are at most {MAX_COMMENT_CHARS:,} characters (this one has {len(body):,}).")
    if "\x00" in body:
        raise SharingError("Comments cannot contain NUL characters.")
    return body


def add_comment(
    team: Team, author, *, turn: int, block: int, body: object,
    exchange: Exchange | None = None, thread: Thread | None = None, on_system: bool = False,
) -> Comment:
    targets = [t for t in (exchange, thread) if t is not None]
    if len(targets) != 1 or targets[0].team_id != team.pk:
        raise SharingError("A comment sits on one exchange or thread of your team.")
    text = clean_comment(body)
    return Comment.objects.create(
        team=team, exchange=exchange, thread=thread, turn=turn, block=block, on_system=on_system,
        author=author, body=text,
    )


def can_delete_comment(comment: Comment, membership: Membership | None) -> bool:
    """Authors delete their own comments; the team's owners delete any."""
    if membership is None or membership.team_id != comment.team_id or not membership.can_write:
        return False
    return comment.author_id == membership.user_id or membership.role == Role.OWNER


def delete_comment(comment: Comment, membership: Membership | None) -> None:
    if not can_delete_comment(comment, membership):
        raise SharingError("Only the comment's author or a team owner can delete it.")
    comment.delete()
