"""A patched Dailymotion client for service tests, and adopted creators in bulk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from accounts.models import Creator
from mcn_portal.lib.dailymotion import AccessForbidden, DailymotionUser, NotFound


class WorkerKilled(BaseException):
    """Stands for a SIGKILL: nothing after it runs, no except Exception catches it."""


def figures(video="0", website="0", claim="0", paidcontent="0") -> dict[str, Decimal]:
    """Dailymotion's revenue fields for running totals (None leaves a source out)."""
    out = {}
    for source, total in [
        ("video", video),
        ("website", website),
        ("claim", claim),
        ("paidcontent", paidcontent),
    ]:
        if total is None:
            continue
        out[f"revenues_{source}_total"] = Decimal(total)
        for period in ("last_day", "last_week", "last_month"):
            out[f"revenues_{source}_{period}"] = Decimal(total)
    return out


class FakeClient:
    """The parent-token client as revenues_poll uses it; counts calls like the real one."""

    def __init__(self, accounts: dict[str, dict | None], *, listing_cap: int = 1000) -> None:
        self.accounts = accounts  # id -> revenue fields; None = no figures at all
        self.listing_cap = listing_cap
        self.forbidden: set[str] = set()
        self.hidden: set[str] = set()  # children the listing misses
        self.kill_after: int | None = None  # children yielded before the "worker dies"
        self.listing_error: Exception | None = None
        self.calls = 0
        self.yielded = 0

    @property
    def calls_made(self) -> int:
        return self.calls

    def _user(self, dm_id: str) -> DailymotionUser:
        return DailymotionUser(id=dm_id, revenues=dict(self.accounts[dm_id] or {}))

    def children(self, parent_id, fields=()):
        ids = [i for i in self.accounts if i not in self.hidden][: self.listing_cap]
        for start in range(0, len(ids), 100):
            self.calls += 1
            if self.listing_error is not None and start > 0:
                raise self.listing_error
            for dm_id in ids[start : start + 100]:
                if self.kill_after is not None and self.yielded >= self.kill_after:
                    raise WorkerKilled
                self.yielded += 1
                yield self._user(dm_id)

    def users(self, ids, fields=()):
        ids = list(ids)
        for start in range(0, len(ids), 100):
            self.calls += 1
            for dm_id in ids[start : start + 100]:
                if dm_id in self.accounts and dm_id not in self.forbidden:
                    yield self._user(dm_id)

    def user(self, dm_id, fields=()):
        self.calls += 1
        if dm_id in self.forbidden:
            raise AccessForbidden("Insufficient rights", status=403, error_type="access_forbidden")
        if dm_id not in self.accounts:
            raise NotFound("No such user", status=404)
        return self._user(dm_id)


def adopt_many(n: int, prefix: str = "xr") -> list[Creator]:
    """n adopted creators x<prefix>00000.. in a few queries."""
    users = User.objects.bulk_create([User(username=f"dm-{prefix}{i:05d}") for i in range(n)])
    return Creator.objects.bulk_create(
        [
            Creator(
                user=u,
                dailymotion_id=f"{prefix}{i:05d}",
                username=f"creator-{prefix}{i:05d}",
                status=Creator.Status.ADOPTED,
            )
            for i, u in enumerate(users)
        ]
    )


@pytest.fixture
def fake_client(monkeypatch):
    """Install a FakeClient as the parent client; fill .accounts in the test."""
    client = FakeClient({})
    monkeypatch.setattr("accounts.tokens.client_for_parent", lambda: client)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
