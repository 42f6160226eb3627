"""Proxy keys: the credentials SDKs present to `/v1/*`.

A key belongs to a team, may pin a provider and may be revoked. Only a SHA-256 hash of
the key is stored (the key carries 256 bits of randomness, so an unsalted hash is as safe
as a password hash and cheap enough for the hot path); the short public prefix is what
the lookup uses, so the comparison itself is done once, in constant time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from playground.teams.models import Team


class ProxyKeyQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> ProxyKeyQuerySet:
        return self.filter(team=team)

    def active(self) -> ProxyKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ProxyKey(models.Model):
    MODE_RECORD = "record"
    MODE_REPLAY = "replay"
    MODES = [(MODE_RECORD, "Record (relay upstream)"), (MODE_REPLAY, "Replay recorded exchanges")]
    TIMING_ORIGINAL = "original"
    TIMING_FAST = "fast"
    TIMINGS = [(TIMING_ORIGINAL, "Original event timing"), (TIMING_FAST, "As fast as possible")]
    UNMATCHED_ERROR = "error"
    UNMATCHED_PASSTHROUGH = "passthrough"
    UNMATCHED = [
        (UNMATCHED_ERROR, "Answer with an error"),
        (UNMATCHED_PASSTHROUGH, "Pass through upstream"),
    ]

    team = models.ForeignKey(Team, models.CASCADE, related_name="proxy_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    provider = models.CharField(max_length=100, blank=True, default="")
    mode = models.CharField(max_length=10, choices=MODES, default=MODE_RECORD)
    replay_timing = models.CharField(max_length=10, choices=TIMINGS, default=TIMING_FAST)
    replay_unmatched = models.CharField(max_length=12, choices=UNMATCHED, default=UNMATCHED_ERROR)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProxyKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_proxy_key_name_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
