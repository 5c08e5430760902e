"""Revenue history: poll runs, append-only snapshots of Dailymotion's totals, the daily ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Creator

SOURCES = ("video", "website", "claim", "paidcontent")
SOURCE_LABELS = {
    "video": "Video",
    "website": "Website",
    "claim": "Claim",
    "paidcontent": "Paid content",
}


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class PollRun(models.Model):
    """One pass over every adopted child: who ran it, how far it got, what went wrong."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with unavailable children"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Abandoned"
        SKIPPED = "skipped", "Skipped (another poll was running)"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=16, default="beat")  # beat, command, staff, demo
    # The Celery task id: a task redelivered after its worker died finds its run and resumes it.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed with every progress write: a running run whose heartbeat is older than the task
    # time limit belongs to a dead worker.
    heartbeat_at = models.DateTimeField(default=timezone.now)
    children_total = models.PositiveIntegerField(default=0)
    children_done = models.PositiveIntegerField(default=0)
    children_unavailable = models.PositiveIntegerField(default=0)
    children_failed = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"poll #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.children_total:
            return 100 if self.finished_at else 0
        return min(100, round(100 * self.children_done / self.children_total))

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class RevenueSnapshot(models.Model):
    """Dailymotion's figures for one child at one poll, as read; never updated afterwards."""

    class Status(models.TextChoices):
        OK = "ok", "Available"
        PARTIAL = "partial", "Some sources unavailable"
        UNAVAILABLE = "unavailable", "Unavailable"

    poll = models.ForeignKey(PollRun, on_delete=models.PROTECT, related_name="snapshots")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="revenue_snapshots")
    taken_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    # A total lower than the previous one (restatement, claw-back): kept as a negative earning.
    restated = models.BooleanField(default=False)
    # Raw running figures (None = Dailymotion did not give it); the 16 REVENUE_FIELDS.
    video_last_day = _money(null=True, blank=True)
    video_last_week = _money(null=True, blank=True)
    video_last_month = _money(null=True, blank=True)
    video_total = _money(null=True, blank=True)
    website_last_day = _money(null=True, blank=True)
    website_last_week = _money(null=True, blank=True)
    website_last_month = _money(null=True, blank=True)
    website_total = _money(null=True, blank=True)
    claim_last_day = _money(null=True, blank=True)
    claim_last_week = _money(null=True, blank=True)
    claim_last_month = _money(null=True, blank=True)
    claim_total = _money(null=True, blank=True)
    paidcontent_last_day = _money(null=True, blank=True)
    paidcontent_last_week = _money(null=True, blank=True)
    paidcontent_last_month = _money(null=True, blank=True)
    paidcontent_total = _money(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "creator"], name="revenues_snapshot_once_per_poll"
            )
        ]
        indexes = [models.Index(fields=["creator", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.creator_id} @ {self.taken_at:%Y-%m-%d %H:%M} ({self.status})"


class CreatorRevenueState(models.Model):
    """A creator's latest known total per source: the baseline the next snapshot is diffed with."""

    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="revenue_state")
    video_total = _money(null=True, blank=True)
    video_at = models.DateTimeField(null=True, blank=True)
    website_total = _money(null=True, blank=True)
    website_at = models.DateTimeField(null=True, blank=True)
    claim_total = _money(null=True, blank=True)
    claim_at = models.DateTimeField(null=True, blank=True)
    paidcontent_total = _money(null=True, blank=True)
    paidcontent_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(
        max_length=12, choices=RevenueSnapshot.Status.choices, blank=True
    )
    last_reason = models.CharField(max_length=500, blank=True)
    restatements = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"revenue state of {self.creator_id}"


class DailyEarning(models.Model):
    """Earnings of one creator on one day, per source, derived from consecutive snapshots."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="daily_earnings")
    date = models.DateField()
    video = _money(default=Decimal("0.00"))
    website = _money(default=Decimal("0.00"))
    claim = _money(default=Decimal("0.00"))
    paidcontent = _money(default=Decimal("0.00"))
    total = _money(default=Decimal("0.00"))
    # The creator's part of `total` under the share effective that day; the network keeps the rest.
    creator_share = _money(default=Decimal("0.00"))
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    restated = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "creator_id"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "date"], name="revenues_daily_once_per_day")
        ]
        indexes = [models.Index(fields=["date", "creator"])]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.date}: {self.total}"


class RevenueShare(models.Model):
    """The creator's percentage of gross revenue from a date on; rows are never edited (history)."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="revenue_shares")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    effective_from = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]
        indexes = [models.Index(fields=["creator", "-effective_from"])]

    def __str__(self) -> str:
        return f"{self.creator_id}: {self.percent}% from {self.effective_from}"
