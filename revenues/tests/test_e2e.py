"""End to end against the sandbox: a live Dailymotion stand-in with its own clock and money."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Creator
from conftest import make_creator
from revenues import services
from revenues.models import PollRun, RevenueSnapshot

from .conftest import adopt_many

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
SOURCES = ("video", "website", "claim", "paidcontent")


def _total(account) -> Decimal:
    return sum((getattr(account, f"revenues_{s}_total") for s in SOURCES), Decimal(0))


def test_the_report_shows_exactly_what_the_sandbox_paid(dailymotion_sandbox, client, staff_user):
    names = ["creator31", "creator32", "creator33"]
    accounts = {n: dailymotion_sandbox.account(n) for n in names}
    creators = {
        n: make_creator(a.id, n, status=Creator.Status.ADOPTED) for n, a in accounts.items()
    }
    first = services.revenues_poll()
    assert first.status == PollRun.Status.SUCCEEDED, first.errors
    before = {n: _total(dailymotion_sandbox.account(n)) for n in names}

    dailymotion_sandbox.advance_days(30)
    second = services.revenues_poll()

    assert second.status == PollRun.Status.SUCCEEDED, second.errors
    increase = {n: _total(dailymotion_sandbox.account(n)) - before[n] for n in names}
    assert all(v > 0 for v in increase.values())
    client.force_login(staff_user)
    body = b"".join(client.get("/staff/revenues.csv?period=last_30_days").streaming_content)
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(body.decode()))}
    for name in names:
        assert Decimal(rows[name]["gross_usd"]) == increase[name], name
    page = client.get("/staff/revenues/").content.decode()
    assert f"{sum(increase.values()):.2f}" in page

    # Figures withheld for one child and a 429 on the listing: the poll still completes,
    # and the child is "unavailable", not 0.
    dailymotion_sandbox.set_revenues_unavailable(accounts["creator33"].id)
    dailymotion_sandbox.fail_next(f"/user/{services._parent_id()}/children", 429, 1, retry_after=0)
    third = services.revenues_poll()
    assert third.children_done == 3
    snapshot = RevenueSnapshot.objects.get(poll=third, creator=creators["creator33"])
    assert snapshot.status == RevenueSnapshot.Status.UNAVAILABLE
    assert snapshot.video_total is None
    assert third.status == PollRun.Status.PARTIAL


def test_a_poll_covers_every_child_past_the_1000_cap(dailymotion_sandbox):
    dailymotion_sandbox.seed_bulk(1200)
    ids = sorted(i for i in dailymotion_sandbox.children_ids() if i.startswith("x2b"))
    assert len(ids) == 1200
    creators = adopt_many(1200, prefix="x2b0")  # x2b000000.. as the sandbox names them
    assert {c.dailymotion_id for c in creators} == set(ids)

    run = services.revenues_poll()

    assert run.status == PollRun.Status.SUCCEEDED, run.errors
    assert RevenueSnapshot.objects.filter(poll=run, status="ok").count() == 1200
    assert run.api_calls <= 2 * 12  # pages of 100 plus the window probes past the cap
    assert run.finished_at <= timezone.now()
