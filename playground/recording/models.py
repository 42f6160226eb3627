"""Recorded exchanges, their events, threads, the media store and the price table.

Policy: rows here are written only by `playground.recording` (the capture API's writer and
the management commands); every other part reads them, starting from a team
(`Exchange.objects.for_team(team)`). Field names say what they hold, so the inspector can
read them without a translation layer:

* `request_body` is the parsed request with large base64 media replaced by blob
  references `{"$blob": sha256, "media_type": ..., "bytes": n}`; the raw request bytes are
  kept inline in `request_bytes` when small and in the blob store (`request_bytes_sha256`)
  when large, so a retried 32 MB request is stored once.
* Secrets are redacted before anything reaches these tables (see `redact.py`).
* Events are stored in runs (`EventRun`): the events one writer batch received for one
  exchange, their bytes in one field and, per event, its arrival offset, name and length.
  A row per event cost more to write than everything else the recorder does per event.
  An event's `seq` is its 0-based index in its exchange and never changes: the composer's
  live view and the inspector's timeline both rely on it. Read events through
  `playground.recording.events`, which cuts runs back into events.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from playground.teams.models import Team

OUTCOMES = [
    ("streaming", "in flight"),
    ("completed", "completed"),
    ("upstream_error", "upstream error"),
    ("error_mid_stream", "error mid-stream"),
    ("incomplete", "incomplete"),
    ("client_cancelled", "client cancelled"),
    ("timeout", "timeout"),
    ("rejected", "rejected"),
    ("interrupted", "interrupted"),
]
SOURCES = [("playground", "playground"), ("proxy", "proxy"), ("replay", "replay")]


def new_public_id() -> str:
    # 16 random bytes: unguessable, url-safe, and a valid channel-layer group name part.
    return secrets.token_urlsafe(16)


class ExchangeQuerySet(models.QuerySet):
    def for_team(self, team: Team | None) -> ExchangeQuerySet:
        if team is None:
            return self.none()
        return self.filter(team=team)


class ThreadQuerySet(models.QuerySet):
    def for_team(self, team: Team | None) -> ThreadQuerySet:
        if team is None:
            return self.none()
        return self.filter(team=team)


class Blob(models.Model):
    """Content-addressed media: stored once however many requests carry it."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    media_type = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.media_type} {self.size} B"


class Thread(models.Model):
    """A conversation: requests that each resend the history of the one before."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    team = models.ForeignKey(Team, models.CASCADE, null=True, blank=True, related_name="threads")
    hint = models.CharField(max_length=200, blank=True, default="")  # x-playground-thread
    title = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()
    exchange_count = models.IntegerField(default=0)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["team", "-last_at"], name="thread_team_last"),
            models.Index(fields=["team", "hint"], name="thread_team_hint"),
        ]

    def __str__(self) -> str:
        return self.title or self.public_id


class Exchange(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    team = models.ForeignKey(
        Team, models.CASCADE, null=True, blank=True, related_name="exchanges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proxy_key_name = models.CharField(max_length=200, blank=True, default="")
    source = models.CharField(max_length=20, choices=SOURCES)
    boot_id = models.CharField(max_length=40, blank=True, default="")  # the recording process

    # request
    method = models.CharField(max_length=10, default="POST")
    path = models.CharField(max_length=500, default="/v1/messages")
    query = models.CharField(max_length=2000, blank=True, default="")
    request_headers = models.JSONField(default=list)  # [[name, value], ...], redacted
    request_body = models.JSONField(null=True, blank=True)  # media replaced by blob refs
    request_bytes = models.BinaryField(null=True, blank=True)  # raw, when small
    request_bytes_sha256 = models.CharField(max_length=64, blank=True, default="")  # when large
    request_size = models.BigIntegerField(default=0)
    model = models.CharField(max_length=200, blank=True, default="")
    provider = models.CharField(max_length=100, blank=True, default="")
    stream = models.BooleanField(default=False)
    blobs = models.ManyToManyField(Blob, blank=True, related_name="exchanges")

    # response
    status = models.IntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=list)  # [[name, value], ...], redacted
    response_body = models.JSONField(null=True, blank=True)  # non-streaming JSON body
    response_text = models.TextField(blank=True, default="")  # a body that is not JSON
    # The non-streaming body exactly as received (secrets scrubbed, capped): replay answers
    # with these bytes, since a JSON column may reorder keys (PostgreSQL's jsonb does).
    response_raw = models.BinaryField(null=True, blank=True, editable=False)
    message = models.JSONField(null=True, blank=True)  # the final Message, rebuilt
    stop_reason = models.CharField(max_length=60, blank=True, default="")
    outcome = models.CharField(max_length=20, choices=OUTCOMES, default="streaming")
    error_type = models.CharField(max_length=100, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    request_id = models.CharField(max_length=200, blank=True, default="")  # the upstream's
    event_count = models.IntegerField(default=0)
    stored_bytes = models.BigIntegerField(default=0)  # this row and its events, not blobs

    # usage and cost
    input_tokens = models.IntegerField(null=True, blank=True)
    output_tokens = models.IntegerField(null=True, blank=True)
    cache_creation_5m = models.IntegerField(null=True, blank=True)
    cache_creation_1h = models.IntegerField(null=True, blank=True)
    cache_read = models.IntegerField(null=True, blank=True)
    server_tool_use = models.JSONField(default=dict, blank=True)  # {"web_search_requests": n}
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)

    # timings (milliseconds from started_at)
    started_at = models.DateTimeField()
    first_byte_ms = models.FloatField(null=True, blank=True)
    first_token_ms = models.FloatField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # analysis
    findings = models.JSONField(default=list, blank=True)  # validate_request, as dicts
    anomalies = models.JSONField(default=list, blank=True)  # ["events_after_message_stop", ...]
    tool_names = models.CharField(max_length=1000, blank=True, default="")  # " a b " for filters
    search_text = models.TextField(blank=True, default="")

    # threads
    thread = models.ForeignKey(
        Thread, models.SET_NULL, null=True, blank=True, related_name="exchanges"
    )
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="children"
    )
    retry_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    step = models.IntegerField(null=True, blank=True)
    branch = models.IntegerField(default=0)
    thread_hint = models.CharField(max_length=200, blank=True, default="")
    prefix_hash = models.CharField(max_length=64, blank=True, default="")  # all request messages
    reply_hash = models.CharField(max_length=64, blank=True, default="")  # messages + reply
    # The history the request resends, up to its last assistant turn: its parent's reply_hash.
    parent_hash = models.CharField(max_length=64, blank=True, default="")

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["team", "-started_at", "-id"], name="exch_team_started"),
            models.Index(fields=["team", "model", "-started_at", "-id"], name="exch_team_model"),
            models.Index(fields=["team", "source", "-started_at", "-id"], name="exch_team_source"),
            models.Index(
                fields=["team", "outcome", "-started_at", "-id"], name="exch_team_outcome"
            ),
            # Thread assignment's lookups: a hash, then the oldest or newest of its rows. With
            # the time in the index, finding one is a seek however many exchanges share the
            # hash (an agent's test suite resends the same request thousands of times).
            models.Index(fields=["team", "reply_hash", "started_at", "id"], name="exch_team_reply_time"),
            models.Index(fields=["team", "prefix_hash", "started_at", "id"], name="exch_team_prefix_time"),
            models.Index(
                fields=["team", "parent_hash", "started_at", "id"],
                name="exch_team_parent_time",
                condition=~models.Q(parent_hash=""),
            ),
            models.Index(fields=["outcome"], name="exch_outcome"),
            models.Index(fields=["started_at"], name="exch_started"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.method} {self.path}"

    def get_absolute_url(self) -> str:
        return f"/exchanges/{self.public_id}/"

    @property
    def in_flight(self) -> bool:
        return self.outcome == "streaming"

    @property
    def cache_write_tokens(self) -> int:
        return (self.cache_creation_5m or 0) + (self.cache_creation_1h or 0)


class EventRun(models.Model):
    """Consecutive events of one exchange, written together.

    `raw` holds the events' bytes exactly as received (secrets scrubbed), one after the
    other; `index` holds one `[offset_ms, event name, byte length]` per event, in order;
    the run covers the events `first_seq` to `end_seq - 1`. Only the stream's very last
    event can be cut before its blank line (`last_unterminated`).
    """

    exchange = models.ForeignKey(Exchange, models.CASCADE, related_name="event_runs", db_index=False)
    first_seq = models.IntegerField()
    end_seq = models.IntegerField()
    raw = models.BinaryField()
    index = models.JSONField()
    last_unterminated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "first_seq"], name="unique_event_run")
        ]

    def __str__(self) -> str:
        return f"{self.exchange_id}#{self.first_seq}-{self.end_seq - 1}"


class Price(models.Model):
    """USD per million tokens for models matching `model_pattern` (exact id or glob)."""

    model_pattern = models.CharField(max_length=200, unique=True)
    label = models.CharField(max_length=200, blank=True, default="")
    input = models.DecimalField(max_digits=12, decimal_places=6)
    output = models.DecimalField(max_digits=12, decimal_places=6)
    cache_write_5m = models.DecimalField(max_digits=12, decimal_places=6)
    cache_write_1h = models.DecimalField(max_digits=12, decimal_places=6)
    cache_read = models.DecimalField(max_digits=12, decimal_places=6)
    web_search_per_1k = models.DecimalField(max_digits=12, decimal_places=6, default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_pattern"]

    def __str__(self) -> str:
        return self.model_pattern

    def as_dict(self) -> dict:
        return {
            "model_pattern": self.model_pattern,
            "input": self.input,
            "output": self.output,
            "cache_write_5m": self.cache_write_5m,
            "cache_write_1h": self.cache_write_1h,
            "cache_read": self.cache_read,
            "web_search_per_1k": self.web_search_per_1k,
        }


class RecorderBoot(models.Model):
    """A process that records: lets a new process tell dead streams from live ones."""

    boot_id = models.CharField(max_length=40, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.IntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
