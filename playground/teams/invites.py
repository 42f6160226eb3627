"""Invite links: the only functions that make, find, use and revoke them.

Policy: a token is `pgi-` + 32 bytes from `secrets` (256 bits, url-safe base64, 43
characters). Only its SHA-256 is stored. A presented token must have exactly that shape
(a truncated, padded or other-type token is refused before the database is asked); it is
looked up by its hash and the hashes are compared again with `hmac.compare_digest`. An
invite works once, until it expires (7 days by default) or an owner revokes it. Every
refusal is the same `InviteNotFound`, which views answer with the same plain 404.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from playground.teams.members import clean_role
from playground.teams.models import Invite, Membership, Role, Team
from playground.teams.ops import add_member

PREFIX = "pgi-"
TOKEN = re.compile(r"pgi-[A-Za-z0-9_-]{43}")
LIFETIME = timedelta(days=7)


class InviteNotFound(LookupError):
    """Unknown, malformed, used, expired or revoked: callers cannot tell which."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(team: Team, role: object = Role.MEMBER, created_by=None, lifetime: timedelta = LIFETIME) -> tuple[Invite, str]:
    """A new invite and its token; the token is shown once and never stored."""
    role = clean_role(role)
    token = PREFIX + secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        team=team, role=role, token_hash=_digest(token), created_by=created_by,
        expires=timezone.now() + lifetime,
    )
    return invite, token


def find_invite(token: object, *, lock: bool = False) -> Invite:
    """The usable invite this token opens, else InviteNotFound."""
    if not isinstance(token, str) or TOKEN.fullmatch(token) is None:
        raise InviteNotFound
    digest = _digest(token)
    rows = Invite.objects.select_related("team")
    if lock:
        rows = rows.select_for_update()
    invite = rows.filter(token_hash=digest).first()
    if invite is None or not hmac.compare_digest(invite.token_hash, digest):
        raise InviteNotFound
    if invite.used_at is not None or invite.revoked_at is not None or invite.expires <= timezone.now():
        raise InviteNotFound
    return invite


@transaction.atomic
def accept_invite(token: object, user) -> Membership:
    """Uses the invite for `user` (once: the row is locked, then marked used) and makes the
    team their current one. A user already in the team keeps their role."""
    invite = find_invite(token, lock=True)
    now = timezone.now()
    invite.used_at = now
    invite.used_by = user
    invite.save(update_fields=["used_at", "used_by"])
    membership = add_member(invite.team, user, invite.role)
    membership.last_used = now
    membership.save(update_fields=["last_used"])
    return membership


def pending_invites(team: Team) -> list[Invite]:
    return list(
        Invite.objects.filter(team=team, used_at__isnull=True, revoked_at__isnull=True, expires__gt=timezone.now())
        .select_related("created_by").order_by("-created")
    )


def revoke_invite(team: Team, invite_id: object) -> Invite:
    """Revokes a pending invite of `team`; Invite.DoesNotExist for any other id."""
    try:
        invite_id = int(invite_id)
    except (TypeError, ValueError):
        invite_id = 0
    invite = Invite.objects.filter(team=team, pk=invite_id, used_at__isnull=True, revoked_at__isnull=True).first()
    if invite is None:
        raise Invite.DoesNotExist("No such invite.")
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    return invite
