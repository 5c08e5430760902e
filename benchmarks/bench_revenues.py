"""Revenue polling of a big network against the sandbox, and the report over a year of history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connections
from django.test.utils import CaptureQueriesContext
from harness import measure, row, test_database

SIZES = {"small": (1_000, 500, 60), "full": (10_000, 10_000, 365)}


def _adopt(ids: list[str]):
    from django.contrib.auth.models import User

    from accounts.models import Creator

    users = User.objects.bulk_create([User(username=f"dm-{i}") for i in ids], batch_size=2000)
    return Creator.objects.bulk_create(
        [
            Creator(user=u, dailymotion_id=i, username=f"c-{i}", status=Creator.Status.ADOPTED)
            for u, i in zip(users, ids, strict=True)
        ],
        batch_size=2000,
    )


def bench_poll(n_children: int) -> None:
    from revenues.demo import live_sandbox
    from revenues.models import RevenueSnapshot
    from revenues.services import revenues_poll
    from sandbox.services import sandbox_advance_days, sandbox_reset, sandbox_seed_bulk

    sandbox_reset()
    sandbox_seed_bulk(n_children)
    _adopt([f"x2b{i:06d}" for i in range(n_children)])
    with live_sandbox(port=8115):
        # Portal queries only: the sandbox answers from its own database alias.
        with measure() as first, CaptureQueriesContext(connections["default"]) as q1:
            run = revenues_poll(trigger="bench")
        row(f"poll {n_children} children (1st)", f"{first.seconds:.1f} s", f"{run.api_calls} calls",
            f"{len(q1)} queries")  # fmt: skip
        sandbox_advance_days(1)
        with measure() as second, CaptureQueriesContext(connections["default"]) as q2:
            run2 = revenues_poll(trigger="bench")
        row(f"poll {n_children} children (2nd)", f"{second.seconds:.1f} s",
            f"{run2.api_calls} calls", f"{len(q2)} queries")  # fmt: skip
    assert run.children_done == run2.children_done == n_children, (run.errors, run2.errors)
    assert RevenueSnapshot.objects.count() == 2 * n_children


def bench_report(n_creators: int, n_days: int) -> None:
    from django.contrib.auth.models import Permission, User
    from django.test import Client
    from django.utils import timezone

    from revenues.models import DailyEarning

    creators = _adopt([f"xb{i:07d}" for i in range(n_creators)])
    today = timezone.localdate()
    with measure() as fill:
        batch = []
        for c in creators:
            rate = Decimal(100 + (c.pk * 37) % 4900) / 100
            for d in range(n_days):
                video = rate + Decimal(d % 7) / 10
                website = (rate / 3).quantize(Decimal("0.01"))
                total = video + website
                batch.append(
                    DailyEarning(creator=c, date=today - timedelta(days=d), video=video,
                                 website=website, total=total,
                                 creator_share=(total * 7 / 10).quantize(Decimal("0.01")),
                                 share_percent=Decimal(70))
                )  # fmt: skip
            if len(batch) >= 20_000:
                DailyEarning.objects.bulk_create(batch)
                batch = []
        DailyEarning.objects.bulk_create(batch)
    row(f"ledger {n_creators}x{n_days} rows", f"{fill.seconds:.1f} s")

    staff = User.objects.create_user("bench-staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="see_money"))
    client = Client()
    client.force_login(staff)
    for label, url in [
        ("report, last 30 days", "/staff/revenues/"),
        ("report, last 365 days",
         f"/staff/revenues/?period=custom&start={today - timedelta(days=364)}&end={today}"),
        ("report, sorted by username", "/staff/revenues/?sort=username&page=3"),
    ]:  # fmt: skip
        with measure() as m:
            response = client.get(url)
        assert response.status_code == 200
        row(label, f"{m.seconds * 1000:.0f} ms", f"{m.queries} queries")
    with measure() as m:
        response = client.get("/staff/revenues.csv?period=last_30_days")
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    assert lines == n_creators + 1
    row(f"CSV, {n_creators} creators", f"{m.seconds * 1000:.0f} ms", f"{m.queries} queries")


def main(scale: str) -> None:
    n_children, n_creators, n_days = SIZES.get(scale, SIZES["full"])
    row("benchmark", "time", "API calls or queries", "queries")
    with test_database():
        bench_poll(n_children)
    with test_database():
        bench_report(n_creators, n_days)
