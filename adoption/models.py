"""What staff decided, what Dailymotion answered, and where our records and Dailymotion differ."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Creator


class AuditEvent(models.Model):
    """One decision or state change: who, when, from → to, and Dailymotion's answer."""

    class Action(models.TextChoices):
        CONNECTED = "connected", "Connected Dailymotion"
        RECONNECTED = "reconnected", "Reconnected Dailymotion"
        ADDED = "added", "Added by staff (password grant)"
        ADOPTED = "adopted", "Approved (adopted)"
        ADOPT_FAILED = "adopt_failed", "Approval failed"
        REJECTED = "rejected", "Rejected"
        REMOVED = "removed", "Removed from the network"
        REMOVE_FAILED = "remove_failed", "Removal failed"
        VERIFIED = "verified", "Verified on Dailymotion"
        VERIFY_FAILED = "verify_failed", "Verification failed"
        DRIFT_FIXED = "drift_fixed", "Drift fixed"
        IMPORTED = "imported", "Imported from Dailymotion"
        RECONCILED = "reconciled", "Children reconciled"
        PARENT_CONNECTED = "parent_connected", "Parent account connected"
        PARENT_FAILED = "parent_failed", "Parent account connection failed"

    creator = models.ForeignKey(
        Creator, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    # None means the system (a beat task, a command).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    dailymotion_response = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["creator", "-created_at"]),
            models.Index(fields=["action", "-created_at"]),
            models.Index(fields=["actor", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.from_status}→{self.to_status}"

    @property
    def actor_label(self) -> str:
        if self.actor_id is None:
            return "system"
        return self.actor.get_username()


class BulkJob(models.Model):
    """A bulk approve/reject run in the background; the page polls its progress."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    action = models.CharField(max_length=8, choices=Action.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    creator_ids = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"creator": "username", "message": "..."}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.total} creators ({self.status})"

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)


class ReconcileRun(models.Model):
    """One comparison of our records with the parent's children on Dailymotion."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    children_seen = models.PositiveIntegerField(default=0)
    differences = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Reconcile {self.started_at:%Y-%m-%d %H:%M} ({self.differences} differences)"


class Drift(models.Model):
    """A difference between our records and the parent's children, open until fixed or gone."""

    class Kind(models.TextChoices):
        MISSING_CHILD = "missing_child", "Adopted here, not a child on Dailymotion"
        UNKNOWN_CHILD = "unknown_child", "A child on Dailymotion, unknown here"
        NOT_ADOPTED_HERE = "not_adopted_here", "A child on Dailymotion, pending here"
        REJECTED_STILL_CHILD = "rejected_still_child", "Rejected here, still a child on Dailymotion"

    class Fix(models.TextChoices):
        READOPT = "readopt", "Re-adopt"
        MARK_REMOVED = "mark_removed", "Mark removed"
        IMPORT = "import", "Import as adopted"
        MARK_ADOPTED = "mark_adopted", "Mark adopted"
        REMOVE_CHILD = "remove_child", "Remove from the network"

    FIXES = {
        Kind.MISSING_CHILD: (Fix.READOPT, Fix.MARK_REMOVED),
        Kind.UNKNOWN_CHILD: (Fix.IMPORT,),
        Kind.NOT_ADOPTED_HERE: (Fix.MARK_ADOPTED,),
        Kind.REJECTED_STILL_CHILD: (Fix.REMOVE_CHILD, Fix.MARK_ADOPTED),
    }

    kind = models.CharField(max_length=24, choices=Kind.choices)
    dailymotion_id = models.CharField(max_length=32)
    username = models.CharField(max_length=150, blank=True)
    creator = models.ForeignKey(
        Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="drifts"
    )
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=32, blank=True)  # a Fix, or "gone" when it vanished
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dailymotion_id"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_drift_per_account",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "-detected_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username or self.dailymotion_id}"

    @property
    def fixes(self) -> list[tuple[str, str]]:
        """(value, label) of each fix that applies to this kind of difference."""
        return [(fix.value, fix.label) for fix in self.FIXES[self.kind]]
