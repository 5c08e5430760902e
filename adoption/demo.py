"""Demo seed for `make demo`: staff logins, and a few sandbox creators already connected."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from accounts.groups import MANAGER, REVIEWER
from accounts.models import Creator, DailymotionCredential

from .models import AuditEvent
from .services import audit_record

STAFF = [("reviewer", "reviewer-pass", REVIEWER), ("manager", "manager-pass", MANAGER)]
# Connected by the seed (creator01.. are left for people to connect themselves).
DEMO_CREATORS = [
    ("creator10", Creator.Status.PENDING),
    ("creator11", Creator.Status.PENDING),
    ("creator12", Creator.Status.ADOPTED),
]


def seed_demo(stdout) -> list[str]:
    """Create the staff logins and connect the demo creators (idempotent)."""
    lines = []
    for username, password, group in STAFF:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=group))
        url = f"{settings.PUBLIC_BASE_URL}/staff/login/"
        lines.append(f"Staff login ({group}): {url}  {username} / {password}")
    if _sandbox_is_dailymotion():
        connected = _connect_demo_creators()
        if connected:
            stdout.write(f"Connected {connected} sandbox creators to the portal.")
    return lines


def _sandbox_is_dailymotion() -> bool:
    return settings.SANDBOX_ENABLED and settings.DAILYMOTION_CLIENT_ID == settings.SANDBOX_CLIENT_ID


def _connect_demo_creators() -> int:
    """Write the records a connect would have written (no server runs during the seed)."""
    from sandbox.models import SandboxAccount, SandboxApiKey
    from sandbox.seed import PARENT
    from sandbox.services import token_issue

    api_key = SandboxApiKey.objects.filter(client_id=settings.SANDBOX_CLIENT_ID).first()
    count = 0
    for username, status in DEMO_CREATORS:
        account = SandboxAccount.objects.filter(username=username).first()
        if api_key is None or account is None or Creator.objects.filter(username=username).exists():
            continue
        tokens = token_issue(
            account=account, api_key=api_key, scopes=settings.DAILYMOTION_SCOPES, grant="demo"
        )
        revenues = sum(
            (getattr(account, f"revenues_{s}_total") or Decimal(0))
            for s in ("video", "website", "claim", "paidcontent")
        )
        with transaction.atomic():
            user, _ = User.objects.get_or_create(username=f"dm-{account.id}")
            user.set_unusable_password()
            user.save()
            creator = Creator.objects.create(
                user=user,
                dailymotion_id=account.id,
                username=account.username,
                screenname=account.screenname,
                email=account.email,
                followers_total=account.followers_total,
                videos_total=account.videos_total,
                views_total=account.views_total,
                revenues_total=None if account.revenues_unavailable else revenues,
                granted_scopes=tokens["scope"],
                connected_at=timezone.now(),
            )
            DailymotionCredential.objects.create(
                kind=DailymotionCredential.Kind.CREATOR,
                creator=creator,
                dailymotion_id=account.id,
                username=account.username,
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
                scope=tokens["scope"],
            )
            audit_record(
                creator=creator,
                action=AuditEvent.Action.CONNECTED,
                to_status="pending",
                note="Connected by the demo seed",
            )
            if status == Creator.Status.ADOPTED:
                SandboxAccount.objects.filter(pk=account.pk).update(parent_id=PARENT["id"])
                Creator.objects.filter(pk=creator.pk).update(status=status)
                audit_record(
                    creator=creator,
                    action=AuditEvent.Action.ADOPTED,
                    from_status="pending",
                    to_status="adopted",
                    note="Adopted by the demo seed",
                )
        count += 1
    return count
