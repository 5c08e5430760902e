from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# Dailymotion's channel (category) list, reference §7.2 (legacy reference and create-a-video page).
CHANNELS = [
    ("animals", "Animals"),
    ("auto", "Cars"),
    ("creation", "Creation"),
    ("fun", "Fun"),
    ("kids", "Kids"),
    ("lifestyle", "Lifestyle"),
    ("music", "Music"),
    ("news", "News"),
    ("people", "People"),
    ("school", "Education"),
    ("shortfilms", "Short films"),
    ("sport", "Sport"),
    ("tech", "Tech"),
    ("travel", "Travel"),
    ("tv", "TV"),
    ("videogames", "Video games"),
    ("webcam", "Webcam"),
]
CHANNEL_CODES = frozenset(code for code, _ in CHANNELS)


class Video(models.Model):
    """One video of a creator's catalog and where it stands on its way to Dailymotion."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued in feed"
        UPLOADING = "uploading", "Uploading"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        UPLOADED = "uploaded", "Uploaded directly"

    creator = models.ForeignKey("accounts.Creator", on_delete=models.CASCADE, related_name="videos")
    uid = models.CharField(max_length=255, help_text="Our stable id, the MRSS guid.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    video_url = models.URLField(max_length=2000)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    channel = models.CharField(max_length=16, choices=CHANNELS)
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, blank=True)
    is_created_for_kids = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    # Dailymotion's syntax: "allow fr us" / "deny de" (partners only).
    geoblocking = models.CharField(max_length=255, blank=True)

    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    remote_id = models.CharField(max_length=32, blank=True, db_index=True)
    failure_reason = models.TextField(blank=True)
    upload_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current direct upload's API call began."
    )
    failure_event = models.JSONField(null=True, blank=True)
    upload_error = models.TextField(blank=True)
    # Timestamp (ms) of the callback event whose effect the state shows: an older one never wins.
    state_event_ts = models.BigIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    crawl_count = models.PositiveIntegerField(default=0)
    last_crawled_at = models.DateTimeField(null=True, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "uid"], name="video_unique_creator_uid")
        ]
        indexes = [
            models.Index(fields=["creator", "state", "id"]),
            models.Index(fields=["state", "-published_at"]),
            models.Index(fields=["uid"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.uid})"

    @property
    def dailymotion_url(self) -> str:
        return f"https://www.dailymotion.com/video/{self.remote_id}" if self.remote_id else ""

    @property
    def badge(self) -> str:
        return {"uploading": "queued", "uploaded": "uploaded"}.get(self.state, self.state)


class CrawlLog(models.Model):
    """One fetch by Dailymotion's crawler: the user list or one creator's feed."""

    class Endpoint(models.TextChoices):
        USERS = "users", "User list"
        FEED = "feed", "Feed"

    endpoint = models.CharField(max_length=8, choices=Endpoint.choices)
    creator = models.ForeignKey(
        "accounts.Creator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.PositiveSmallIntegerField()
    items = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["creator", "-at"]), models.Index(fields=["-at"])]

    def __str__(self) -> str:
        return f"{self.get_endpoint_display()} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class CallbackDelivery(models.Model):
    """One POST to the callback endpoint, stored raw before anything is interpreted."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        INVALID = "invalid", "Invalid"
        ERROR = "error", "Processing error"

    received_at = models.DateTimeField(default=timezone.now)
    body = models.TextField(blank=True)
    body_bytes = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "callback deliveries"

    def __str__(self) -> str:
        return f"Callback delivery {self.pk} ({self.status})"


class CallbackEvent(models.Model):
    """One event of a delivery; its dedupe key makes a repeated event a no-op."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Import failed"
        STALE = "stale", "Older than the video's state (no effect)"
        IGNORED = "ignored", "Ignored"
        UNMATCHED = "unmatched", "Unknown uid"
        AMBIGUOUS = "ambiguous", "Uid of several creators"

    delivery = models.ForeignKey(CallbackDelivery, on_delete=models.CASCADE, related_name="events")
    dedupe_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    event_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=50, blank=True)
    uid = models.CharField(max_length=255, blank=True, db_index=True)
    remote_id = models.CharField(max_length=32, blank=True)
    timestamp = models.BigIntegerField(null=True, blank=True)
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="callback_events"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["outcome", "-received_at"]),
            models.Index(fields=["-received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uid} ({self.outcome})"

    @property
    def is_failure(self) -> bool:
        return self.status != "ready"


class CatalogImport(models.Model):
    """A catalog file too big for one request: a task imports it while its page shows progress.

    The file's text is kept until the import finishes, so a worker killed mid-way re-runs it from
    the start (the import upserts by (owner, uid), so a second run duplicates nothing).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    filename = models.CharField(max_length=255)
    fmt = models.CharField(max_length=8, default="csv")
    content = models.TextField(blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes uploaded.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Lines in the file (an estimate).")
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line", "uid", "message"}], capped
    error = models.TextField(blank=True, help_text="Why the file as a whole was refused.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        return min(99, round(100 * self.rows / self.total)) if self.total else 0

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
