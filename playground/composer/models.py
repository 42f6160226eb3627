"""The composer's own data: one autosaved draft per user and team.

The draft is the whole page state as plain JSON (request body, provider, headers,
mocks), so what the page restores is exactly what the user was composing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from playground.teams.models import Team


class Draft(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="drafts")
    team = models.ForeignKey(Team, models.CASCADE, related_name="drafts")
    state = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="unique_draft_per_user_team")]

    def __str__(self) -> str:
        return f"draft of {self.user} in {self.team}"
