"""The composer's own data: working copies, the requests a user has open in the composer.

A working copy is the whole page state as JSON text (request body, provider, headers,
mocks, notes, variables), so what the page restores is exactly what the user was composing:
text, not a JSON column, because PostgreSQL's jsonb reorders object keys and refuses
`\u0000`, as the library's versions are stored for the same reasons.
Each user has any number of them per team (one per composer tab); one may come from a saved
request of the library, and then remembers the version it started from. Rows are written
only by `playground.composer.workcopies`.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from playground.library.state import dumps
from playground.recording.models import new_public_id
from playground.teams.models import Team


class WorkingCopy(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="working_copies")
    team = models.ForeignKey(Team, models.CASCADE, related_name="working_copies")
    title = models.CharField(max_length=200, default="Untitled")
    state_json = models.TextField(default="{}")
    # The saved request this copy came from or was saved as, and the number of the version
    # it was opened as or last saved as (what "unsaved" compares with, and what a run links).
    saved_request = models.ForeignKey(
        "library.SavedRequest", models.SET_NULL, null=True, blank=True, related_name="working_copies"
    )
    base_version = models.IntegerField(null=True, blank=True)
    # The sha256 of the state as last saved to the library, or as opened for a new copy:
    # the copy has unsaved changes when its state's digest differs.
    saved_digest = models.CharField(max_length=64, blank=True, default="")
    # Bumped by every write of the state: an autosave names the revision it edited, so two
    # windows on one copy cannot overwrite each other silently.
    revision = models.PositiveIntegerField(default=0)
    unsaved = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    opened = models.DateTimeField(default=timezone.now)  # last shown: `/` opens the latest
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["team", "user", "-opened"], name="copy_team_user_opened")]

    def __str__(self) -> str:
        return f"{self.title} ({self.user} in {self.team})"

    def get_absolute_url(self) -> str:
        return f"/?copy={self.public_id}"

    @property
    def state(self) -> dict:
        return json.loads(self.state_json)

    @state.setter
    def state(self, value: dict) -> None:
        self.state_json = dumps(value)
