from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sandbox import seed, services
from sandbox.models import SandboxAccount, SandboxEarning

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_it_adds_exactly_the_new_days_earnings_to_totals(sandbox):
    before = SandboxAccount.objects.get(id="x1cr004")
    today = services.sandbox_state().today
    services.sandbox_advance_days(3)
    after = SandboxAccount.objects.get(id="x1cr004")
    for source in seed.SOURCES:
        rate = getattr(before, f"rate_{source}")
        earned = [
            seed.daily_earning("x1cr004", today + timedelta(days=d), source, rate) for d in range(3)
        ]
        total = f"revenues_{source}_total"
        assert getattr(after, total) == getattr(before, total) + sum(earned, Decimal(0))
        assert getattr(after, f"revenues_{source}_last_day") == earned[-1]
    assert services.sandbox_state().today == today + timedelta(days=3)


def test_it_keeps_last_week_and_last_month_as_sliding_sums(sandbox):
    services.sandbox_advance_days(45)
    account = SandboxAccount.objects.get(id="x1cr010")
    today = services.sandbox_state().today
    history = SandboxEarning.objects.filter(account=account)
    assert history.count() == 30
    days = {row.day: row for row in history}
    week = sum((days[today - timedelta(days=d)].video for d in range(1, 8)), Decimal(0))
    month = sum((row.video for row in history), Decimal(0))
    assert account.revenues_video_last_week == week
    assert account.revenues_video_last_month == month
    assert account.revenues_video_last_day == days[today - timedelta(days=1)].video


def test_it_seeds_deterministically(sandbox):
    first = list(SandboxAccount.objects.values_list("id", "revenues_video_total", "created_time"))
    services.sandbox_reset()
    assert (
        list(SandboxAccount.objects.values_list("id", "revenues_video_total", "created_time"))
        == first
    )
    assert SandboxAccount.objects.filter(username__startswith="creator").count() == 36


def test_it_consumes_a_fault_only_count_times(sandbox):
    fault = services.sandbox_fail_next("/me", 500, 2)
    assert services.fault_for("/me/parents") == fault
    assert services.fault_for("/me") == fault
    assert services.fault_for("/me") is None
    assert services.fault_for("/user/x1") is None
