from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from mcn_portal.lib.crypto import EncryptedTextField


class Creator(models.Model):
    """A Dailymotion account that connected to the portal: a (future) child of the network."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        ADOPTED = "adopted", "Adopted"
        REJECTED = "rejected", "Rejected"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creator",
    )
    dailymotion_id = models.CharField(max_length=32, unique=True)
    username = models.CharField(max_length=150, db_index=True)
    screenname = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(default=timezone.now)
    rejection_reason = models.TextField(blank=True)
    # Profile facts that help staff decide, refreshed on connect and sync.
    followers_total = models.PositiveBigIntegerField(null=True, blank=True)
    videos_total = models.PositiveBigIntegerField(null=True, blank=True)
    views_total = models.PositiveBigIntegerField(null=True, blank=True)
    granted_scopes = models.CharField(max_length=500, blank=True)
    syndication_enabled = models.BooleanField(default=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    # Net revenue since the beginning (USD), read at connect when read_insights was granted.
    revenues_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Set while one staff decision is talking to Dailymotion, so a double click or a second staff
    # member cannot adopt (or remove) the same creator twice; a stale claim expires.
    decision_claimed_at = models.DateTimeField(null=True, blank=True)
    # Dailymotion's last refusal of a decision, in words for staff; cleared on success.
    decision_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["screenname"]),
            models.Index(fields=["email"]),
            # The staff list's default order and its sorts, so a page of 100,000 creators is read
            # from an index instead of sorting the whole table.
            models.Index(fields=["-created_at", "-id"], name="creator_newest_idx"),
            models.Index(fields=["-followers_total", "-id"], name="creator_followers_idx"),
            models.Index(fields=["-videos_total", "-id"], name="creator_videos_idx"),
            models.Index(fields=["-views_total", "-id"], name="creator_views_idx"),
            models.Index(fields=["-revenues_total", "-id"], name="creator_revenue_idx"),
            models.Index(fields=["-status_changed_at", "-id"], name="creator_decided_idx"),
        ]
        permissions = [
            ("decide_creator", "Can approve, reject and reconcile creators"),
            ("see_money", "Can see revenues and statements"),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.dailymotion_id})"

    @property
    def needs_reconnect(self) -> bool:
        credential = getattr(self, "credential", None)
        return bool(credential and credential.needs_reconnect)

    @property
    def display_status(self) -> str:
        """What a person should read: the review status, or 'needs reconnect' when tokens died."""
        return "Needs reconnect" if self.needs_reconnect else self.get_status_display()

    @property
    def missing_scopes(self) -> list[str]:
        """Scopes we ask for (settings.DAILYMOTION_SCOPES) that this creator did not grant."""
        granted = set(self.granted_scopes.split())
        return [s for s in settings.DAILYMOTION_SCOPES if s not in granted]


class DailymotionCredential(models.Model):
    """OAuth tokens of one Dailymotion account (a creator's, or the network's parent), encrypted."""

    class Kind(models.TextChoices):
        CREATOR = "creator", "Creator"
        PARENT = "parent", "Parent (network)"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    creator = models.OneToOneField(
        Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="credential"
    )
    dailymotion_id = models.CharField(max_length=32)
    username = models.CharField(max_length=150, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    roles = models.CharField(max_length=500, blank=True)
    needs_reconnect = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="parent"), name="one_parent_credential"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="parent", creator__isnull=True)
                | models.Q(kind="creator", creator__isnull=False),
                name="credential_kind_matches_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} credential for {self.username or self.dailymotion_id}"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
