"""The shared cast of every test: staff of each kind, creators in each state, an outsider."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from accounts.models import Creator, DailymotionCredential

pytest_plugins = ["sandbox.testing"]


@pytest.fixture
def redis_url() -> str:
    """A real Redis for tests of what production does with it; skipped only outside CI."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url} (set TEST_REDIS_URL); CI always has one")
    return url


def _perms(*codenames: str) -> list[Permission]:
    return list(Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def staff_user(db) -> User:
    """Staff with every permission (a 'Manager')."""
    user = User.objects.create_user("manager", password="manager-pass", is_staff=True)
    user.user_permissions.set(
        _perms("view_creator", "decide_creator", "see_money")
        + list(
            Permission.objects.filter(
                content_type__app_label__in=["ingestion", "revenues", "adoption"]
            )
        )
    )
    return user


@pytest.fixture
def reviewer_user(db) -> User:
    """Staff who may see and decide on creators, but not see money."""
    user = User.objects.create_user("reviewer", password="reviewer-pass", is_staff=True)
    user.user_permissions.set(_perms("view_creator", "decide_creator"))
    return user


@pytest.fixture
def bare_staff_user(db) -> User:
    """Staff with no permission at all."""
    return User.objects.create_user("bare-staff", password="bare-pass", is_staff=True)


@pytest.fixture
def outsider(db) -> User:
    """A signed-up user who is neither staff nor a creator."""
    return User.objects.create_user("outsider", password="outsider-pass")


def make_creator(
    dailymotion_id: str, username: str, status=Creator.Status.PENDING, **extra
) -> Creator:
    user = User.objects.create_user(f"dm-{dailymotion_id}")
    user.set_unusable_password()
    user.save()
    creator = Creator.objects.create(
        user=user,
        dailymotion_id=dailymotion_id,
        username=username,
        screenname=username.title(),
        email=f"{username}@example.com",
        status=status,
        granted_scopes="email userinfo delegate_account_management read_insights",
        **extra,
    )
    DailymotionCredential.objects.create(
        kind=DailymotionCredential.Kind.CREATOR,
        creator=creator,
        dailymotion_id=dailymotion_id,
        username=username,
        access_token=f"access-{dailymotion_id}",
        refresh_token=f"refresh-{dailymotion_id}",
        scope=creator.granted_scopes,
    )
    return creator


@pytest.fixture
def pending_creator(db) -> Creator:
    return make_creator("x1pend", "pending-paula")


@pytest.fixture
def adopted_creator(db) -> Creator:
    return make_creator("x2adop", "adopted-adam", status=Creator.Status.ADOPTED)


@pytest.fixture
def rejected_creator(db) -> Creator:
    return make_creator("x3rej", "rejected-rita", status=Creator.Status.REJECTED)


@pytest.fixture
def parent_credential(db) -> DailymotionCredential:
    from django.conf import settings

    return DailymotionCredential.objects.create(
        kind=DailymotionCredential.Kind.PARENT,
        dailymotion_id=settings.DAILYMOTION_PARENT_ID or "x0mcn01",
        username="mcn-network",
        access_token="parent-access",
        refresh_token="parent-refresh",
        scope="email userinfo delegate_account_management read_insights",
        roles="can-adopt-users",
    )
