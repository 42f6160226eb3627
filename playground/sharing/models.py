"""Share links and comments.

Policy:

* A share's token is never stored: only its SHA-256 hash (`token_hash`, unique and
  indexed, so a visit is one lookup) and the first characters after the type prefix
  (`hint`, so the team can tell its links apart). See `tokens.py` for the format.
* A share points at exactly one target of its team: an exchange, a thread or a saved
  request (a pinned version, or `version_number` None for whatever is latest when the
  link is opened). Shares are revoked, never deleted, so a revoked token can never be
  handed out again and stays a 404.
* Comments belong to a team and sit on one block of one turn of an exchange or a thread
  (`turn` is the index in the conversation's messages, the response being the last turn;
  `block` the index in that turn's content), or on one block of the system prompt
  (`on_system`). The body is stored exactly as typed.

Rows here are written only by `playground.sharing.ops`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from playground.library.models import SavedRequest
from playground.recording.models import Exchange, Thread, new_public_id
from playground.teams.models import Team


class ShareQuerySet(models.QuerySet):
    def for_team(self, team: Team | None) -> ShareQuerySet:
        if team is None:
            return self.none()
        return self.filter(team=team)

    def active(self) -> ShareQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class Share(models.Model):
    EXCHANGE = "exchange"
    THREAD = "thread"
    REQUEST = "request"
    KINDS = [(EXCHANGE, "exchange"), (THREAD, "thread"), (REQUEST, "saved request")]

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    team = models.ForeignKey(Team, models.CASCADE, related_name="shares")
    kind = models.CharField(max_length=10, choices=KINDS)
    exchange = models.ForeignKey(Exchange, models.CASCADE, null=True, blank=True, related_name="+")
    thread = models.ForeignKey(Thread, models.CASCADE, null=True, blank=True, related_name="+")
    saved_request = models.ForeignKey(
        SavedRequest, models.CASCADE, null=True, blank=True, related_name="+"
    )
    version_number = models.PositiveIntegerField(null=True, blank=True)  # None: the latest
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ShareQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["team", "-created"], name="share_team_created")]

    def __str__(self) -> str:
        return f"{self.kind} share {self.hint}…"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class CommentQuerySet(models.QuerySet):
    def for_team(self, team: Team | None) -> CommentQuerySet:
        if team is None:
            return self.none()
        return self.filter(team=team)


class Comment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    team = models.ForeignKey(Team, models.CASCADE, related_name="comments")
    exchange = models.ForeignKey(Exchange, models.CASCADE, null=True, blank=True, related_name="+")
    thread = models.ForeignKey(Thread, models.CASCADE, null=True, blank=True, related_name="+")
    turn = models.PositiveIntegerField()  # 0 for the system prompt
    block = models.PositiveIntegerField()
    on_system = models.BooleanField(default=False)  # a block of the system prompt
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["team", "exchange", "turn", "block"], name="comment_exchange"),
            models.Index(fields=["team", "thread", "turn", "block"], name="comment_thread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exchange__isnull=False, thread__isnull=True)
                | Q(exchange__isnull=True, thread__isnull=False),
                name="comment_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"comment {self.public_id} on {self.anchor}"

    @property
    def anchor(self) -> str:
        if self.on_system:
            return f"system-block-{self.block}"
        return f"turn-{self.turn}-block-{self.block}"
