"""The team library: saved requests, their immutable versions, and where runs came from.

Policy:

* Rows here are written only by `playground.library.ops`; every read starts from a team
  (`SavedRequest.objects.for_team(team)`).
* A version's `state_json` is the composer's whole state as JSON text (see
  `playground.library.state` for its shape). It is text, not a JSON column: PostgreSQL's
  jsonb reorders object keys and refuses `\\u0000`, and a saved request must come back
  byte for byte what was saved. Versions are never updated: `Version.save()` refuses.
* The saved request carries copies of its latest version's model, tool names and text
  (`model`, `tool_names`, `search_text`), so the library search never opens a version.
  Tags and tool names are also rows of `Facet`, so filtering by one is an index lookup.
* `used_at` is the "recent use" sort key: the last run, or the last save if later.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models

from playground.recording.models import new_public_id
from playground.teams.models import Team


class SavedRequestQuerySet(models.QuerySet):
    def for_team(self, team: Team | None) -> SavedRequestQuerySet:
        if team is None:
            return self.none()
        return self.filter(team=team)


class SavedRequest(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    team = models.ForeignKey(Team, models.CASCADE, related_name="saved_requests")
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField()
    updated = models.DateTimeField()
    used_at = models.DateTimeField()
    latest_number = models.IntegerField(default=0)
    forked_from = models.ForeignKey(
        "Version", models.SET_NULL, null=True, blank=True, related_name="forks"
    )

    # the last run (set by ops.record_run / ops.record_outcome)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=20, blank=True, default="")
    last_exchange_id = models.CharField(max_length=32, blank=True, default="")  # public id
    last_version_number = models.IntegerField(null=True, blank=True)
    last_value_set = models.CharField(max_length=200, blank=True, default="")

    # copies of the latest version, for the search
    model = models.CharField(max_length=200, blank=True, default="")
    provider = models.CharField(max_length=100, blank=True, default="")
    tool_names = models.TextField(blank=True, default="")  # " a b "
    search_text = models.TextField(blank=True, default="")

    objects = SavedRequestQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["team", "-used_at", "-id"], name="lib_team_used"),
            models.Index(fields=["team", "name", "id"], name="lib_team_name"),
            models.Index(fields=["team", "model", "-used_at", "-id"], name="lib_team_model"),
            models.Index(
                fields=["team", "created_by", "-used_at", "-id"], name="lib_team_author"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/library/{self.public_id}/"


class Version(models.Model):
    saved_request = models.ForeignKey(SavedRequest, models.CASCADE, related_name="versions")
    number = models.IntegerField()
    state_json = models.TextField()
    size = models.IntegerField(default=0)  # bytes of state_json, UTF-8
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField()
    message = models.TextField(blank=True, default="")
    # The version the author started from, when known: a save whose base is older than the
    # version before it was made while someone else saved (both are kept).
    base_number = models.IntegerField(null=True, blank=True)
    restored_from = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_request", "number"], name="unique_version_number")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.saved_request_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("versions are immutable: save a new version instead")
        super().save(*args, **kwargs)

    @property
    def state(self) -> dict:
        return json.loads(self.state_json)

    @property
    def saved_concurrently(self) -> bool:
        """True when another version landed between this one's base and this one."""
        return self.base_number is not None and self.base_number < self.number - 1


class Facet(models.Model):
    """One tag or tool name of a saved request, so a filter by either is an index lookup."""

    TAG = "tag"
    TOOL = "tool"

    team = models.ForeignKey(Team, models.CASCADE, related_name="+")
    saved_request = models.ForeignKey(SavedRequest, models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=4)
    value = models.CharField(max_length=200)

    class Meta:
        # The id is in the index so a facet's requests are read from the index alone.
        indexes = [
            models.Index(fields=["team", "kind", "value", "saved_request"], name="lib_facet_requests")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class RunOrigin(models.Model):
    """Where a recorded exchange came from: a saved request, a version and a value set.

    The exchange holds the resolved request as sent; this row links it back. It names the
    exchange by public id because the recorder may write the exchange after the run starts.
    """

    team = models.ForeignKey(Team, models.CASCADE, related_name="+")
    exchange_id = models.CharField(max_length=32, unique=True)  # Exchange.public_id
    saved_request = models.ForeignKey(SavedRequest, models.CASCADE, related_name="runs")
    version = models.ForeignKey(Version, models.SET_NULL, null=True, blank=True, related_name="runs")
    version_number = models.IntegerField(null=True, blank=True)
    value_set = models.CharField(max_length=200, blank=True, default="")
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["saved_request", "-created"], name="lib_run_request")]

    def __str__(self) -> str:
        return f"{self.exchange_id} from {self.saved_request_id}"
