"""The sandbox's state: a small, stateful Dailymotion kept in the "sandbox" database."""

from __future__ import annotations

from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class SandboxState(models.Model):
    """Singleton: the sandbox clock and knobs (pk is always 1)."""

    today = models.DateField(
        help_text="The sandbox's current day; earnings exist up to the day before."
    )
    token_lifetime = models.PositiveIntegerField(
        default=36000, help_text="expires_in of new tokens (s)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"sandbox today {self.today}"


class SandboxApiKey(models.Model):
    client_id = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=128)
    name = models.CharField(max_length=100)
    roles = models.CharField(
        max_length=200, blank=True, help_text="space-separated, e.g. can-adopt-users"
    )

    def __str__(self) -> str:
        return self.client_id

    def role_list(self) -> list[str]:
        return self.roles.split()


class SandboxAccount(models.Model):
    """A Dailymotion user. Passwords are plain on purpose: the staff page shows them."""

    id = models.CharField(max_length=16, primary_key=True)
    internal_id = models.CharField(max_length=24, unique=True, help_text="Dailymotion's 24-hex id")
    username = models.CharField(max_length=64, unique=True)
    password = models.CharField(max_length=64)
    screenname = models.CharField(max_length=100)
    email = models.EmailField()
    created_time = models.DateTimeField(db_index=True)
    followers_total = models.PositiveIntegerField(default=0)
    videos_total = models.PositiveIntegerField(default=0)
    views_total = models.PositiveBigIntegerField(default=0)
    is_parent = models.BooleanField(default=False, help_text="may adopt children (an MCN account)")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    revenues_unavailable = models.BooleanField(
        default=False, help_text="revenue fields always null"
    )
    refuse_next_adoption = models.BooleanField(default=False)
    bulk = models.BooleanField(default=False, help_text="made by sandbox_seed_bulk (benchmarks)")
    # Per-source daily earning rate (USD/day) that "Advance N days" varies around.
    rate_video = models.DecimalField(**MONEY)
    rate_website = models.DecimalField(**MONEY)
    rate_claim = models.DecimalField(**MONEY)
    rate_paidcontent = models.DecimalField(**MONEY)
    # Denormalised revenue fields, exactly what the API returns (recomputed on advance).
    revenues_video_last_day = models.DecimalField(**MONEY)
    revenues_video_last_week = models.DecimalField(**MONEY)
    revenues_video_last_month = models.DecimalField(**MONEY)
    revenues_video_total = models.DecimalField(**MONEY)
    revenues_website_last_day = models.DecimalField(**MONEY)
    revenues_website_last_week = models.DecimalField(**MONEY)
    revenues_website_last_month = models.DecimalField(**MONEY)
    revenues_website_total = models.DecimalField(**MONEY)
    revenues_claim_last_day = models.DecimalField(**MONEY)
    revenues_claim_last_week = models.DecimalField(**MONEY)
    revenues_claim_last_month = models.DecimalField(**MONEY)
    revenues_claim_total = models.DecimalField(**MONEY)
    revenues_paidcontent_last_day = models.DecimalField(**MONEY)
    revenues_paidcontent_last_week = models.DecimalField(**MONEY)
    revenues_paidcontent_last_month = models.DecimalField(**MONEY)
    revenues_paidcontent_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["parent", "created_time", "id"])]

    def __str__(self) -> str:
        return f"{self.username} ({self.id})"


class SandboxEarning(models.Model):
    """One account's earnings on one sandbox day (the last 30 days are kept)."""

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="earnings")
    day = models.DateField()
    video = models.DecimalField(**MONEY)
    website = models.DecimalField(**MONEY)
    claim = models.DecimalField(**MONEY)
    paidcontent = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="sandbox_earning_once")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}"


class SandboxToken(models.Model):
    """An access token and its refresh token; only their SHA-256 is stored."""

    access_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="tokens")
    api_key = models.ForeignKey(SandboxApiKey, on_delete=models.CASCADE)
    scope = models.CharField(max_length=500, blank=True)
    grant = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    refresh_used = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token of {self.account_id} ({self.grant})"

    def scope_list(self) -> list[str]:
        return self.scope.split()


class SandboxAuthCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE)
    api_key = models.ForeignKey(SandboxApiKey, on_delete=models.CASCADE)
    redirect_uri = models.CharField(max_length=2000)
    scope = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"code for {self.account_id}"


class SandboxVideo(models.Model):
    class Via(models.TextChoices):
        API = "api", "API upload"
        CRAWLER = "crawler", "MRSS ingestion"

    id = models.CharField(max_length=16, primary_key=True)
    owner = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="videos")
    title = models.CharField(max_length=255)
    channel = models.CharField(max_length=32, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, blank=True)
    published = models.BooleanField(default=False)
    is_created_for_kids = models.BooleanField(default=False)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.API)
    uploaded_by = models.CharField(
        max_length=16, blank=True, help_text="account id whose token made it"
    )
    guid = models.CharField(
        max_length=255, blank=True, help_text="the MRSS guid it was ingested from"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["owner", "guid"])]

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


class SandboxFault(models.Model):
    """An injected fault on calls whose path starts with path_prefix (consumed atomically)."""

    class Kind(models.TextChoices):
        FAIL = "fail", "fail"
        LATENCY = "latency", "latency"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    path_prefix = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    remaining = models.PositiveIntegerField(null=True, blank=True, help_text="null: until cleared")
    retry_after = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.path_prefix}"


class SandboxCrawl(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    user_list_url = models.CharField(max_length=2000)
    users = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    ready = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    callback_status = models.CharField(
        max_length=200, blank=True, help_text="HTTP status per batch"
    )
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"crawl {self.started_at:%Y-%m-%d %H:%M}"


class SandboxImport(models.Model):
    """One MRSS item the crawler saw: ready (has a video) or failed (retried next crawl)."""

    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE, related_name="imports")
    guid = models.CharField(max_length=255)
    status = models.CharField(max_length=10)
    attempts = models.PositiveIntegerField(default=0)
    video = models.ForeignKey(SandboxVideo, null=True, blank=True, on_delete=models.SET_NULL)
    item_id = models.CharField(max_length=24)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "guid"], name="sandbox_import_once")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.guid} {self.status}"
